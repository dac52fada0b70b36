using System.Text;
using Amber.Protocol;

namespace Amber.Tests;

/// <summary>Redis prints scores with C's %.17g; the allocation-free formatter must agree with it (values from printf).</summary>
public class DoubleFormatTests
{
    [Theory]
    [InlineData(1.1, "1.1000000000000001")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e17, "1e+17")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00012345, "0.00012344999999999999")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(5e-324, "4.9406564584124654e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(-1e-300, "-1e-300")]
    [InlineData(100.0, "100")]
    [InlineData(0.3, "0.29999999999999999")]
    [InlineData(12345.678, "12345.678")]
    [InlineData(1e21, "1e+21")]
    [InlineData(9.999999999999999e16, "99999999999999984")]
    [InlineData(-0.000099999, "-9.9999000000000003e-05")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void MatchesPrintf(double value, string expected)
    {
        Span<byte> buffer = stackalloc byte[40];
        int n = NumberFormat.FormatDouble(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..n]));
    }

    [Fact]
    public void AgreesWithTheStringFormatterOnRandomDoubles()
    {
        var random = new Random(17);
        Span<byte> buffer = stackalloc byte[40];
        for (int i = 0; i < 20000; i++)
        {
            double value = i % 3 == 0
                ? BitConverter.Int64BitsToDouble(random.NextInt64())
                : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30));
            if (!double.IsFinite(value))
            {
                continue;
            }
            int n = NumberFormat.FormatG17(value, buffer);
            Assert.Equal(NumberFormat.FormatG17(value), Encoding.ASCII.GetString(buffer[..n]));
        }
    }
}
