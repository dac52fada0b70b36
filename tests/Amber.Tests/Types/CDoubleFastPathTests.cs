using System.Globalization;
using System.Text;
using Amber.Text;

namespace Amber.Tests.Types;

/// <summary>
/// CDouble parses short plain decimals (at most 15 digits, no exponent) with one exact division instead of the full
/// parse: the result must be bit for bit what the full parse gives, sign of zero included.
/// </summary>
public class CDoubleFastPathTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("3")]
    [InlineData("1.5")]
    [InlineData("0.1")]
    [InlineData("-0.3")]
    [InlineData("123456789012345")]
    [InlineData("1234567890123456")]
    [InlineData("12345678901234567890")]
    [InlineData("0.000000000000001")]
    [InlineData("9007199254740993")]
    [InlineData("999999999999999")]
    [InlineData(".000000000000000000000001")]
    [InlineData("5.")]
    [InlineData(".5")]
    [InlineData("1e")]
    [InlineData("2.5e3")]
    public void MatchesTheFullParse(string text)
    {
        AssertSameAsFullParse(text);
    }

    [Fact]
    public void RandomShortDecimalsMatchTheFullParse()
    {
        var rng = new Random(20261126);
        for (int i = 0; i < 200_000; i++)
        {
            int intDigits = rng.Next(0, 10);
            int fracDigits = rng.Next(0, 9);
            var sb = new StringBuilder();
            if (rng.Next(4) == 0)
            {
                sb.Append('-');
            }
            for (int d = 0; d < intDigits; d++)
            {
                sb.Append((char)('0' + rng.Next(10)));
            }
            if (fracDigits > 0 || intDigits == 0)
            {
                sb.Append('.');
                for (int d = 0; d < Math.Max(fracDigits, 1); d++)
                {
                    sb.Append((char)('0' + rng.Next(10)));
                }
            }
            AssertSameAsFullParse(sb.ToString());
        }
    }

    private static void AssertSameAsFullParse(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        int consumed = CDouble.Parse(bytes, out double value, out bool rangeError);
        int end = text.Length;
        int e = text.IndexOf('e');
        if (e >= 0 && (e + 1 >= text.Length || !char.IsAsciiDigit(text[e + 1])))
        {
            end = e;
        }
        Assert.Equal(end, consumed);
        double expected = double.Parse(text[..end], NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.False(rangeError);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }
}
