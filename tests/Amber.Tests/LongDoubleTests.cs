using System.Globalization;
using System.Text;
using Amber.Text;

namespace Amber.Tests;

/// <summary>The 128-bit fast paths of <see cref="LongDouble"/> must agree exactly with its BigInteger paths.</summary>
public class LongDoubleTests
{
    private static string Format(LongDouble v, bool exact) => Encoding.ASCII.GetString(v.ToHumanBytes(exact));

    [Fact]
    public void FastPathsAgreeWithExactArithmetic()
    {
        var random = new Random(12345);
        for (int i = 0; i < 5000; i++)
        {
            string a = RandomNumber(random);
            string b = RandomNumber(random);
            bool okFast = LongDouble.TryParse(Encoding.ASCII.GetBytes(a), exactOnly: false, out LongDouble fa);
            bool okExact = LongDouble.TryParse(Encoding.ASCII.GetBytes(a), exactOnly: true, out LongDouble ea);
            Assert.Equal(okExact, okFast);
            if (!okExact || !LongDouble.TryParse(Encoding.ASCII.GetBytes(b), exactOnly: true, out LongDouble eb))
            {
                continue;
            }
            Assert.Equal(Format(ea, true), Format(fa, true));
            Assert.Equal(Format(ea, true), Format(ea, false));
            LongDouble sumFast = LongDouble.Add(fa, eb, exactOnly: false);
            LongDouble sumExact = LongDouble.Add(ea, eb, exactOnly: true);
            Assert.Equal(Format(sumExact, true), Format(sumFast, false));
        }
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1L, "1")]
    [InlineData(-1L, "-1")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    public void FromLongIsExact(long value, string text)
    {
        Assert.Equal(text, LongDouble.FromLong(value).ToHumanString());
        Assert.True(LongDouble.TryAdd(LongDouble.FromLong(value), LongDouble.Zero, out LongDouble same));
        Assert.Equal(text, same.ToHumanString());
    }

    [Fact]
    public void TryAddRefusesInfinities()
    {
        Assert.True(LongDouble.TryParse("inf"u8, out LongDouble inf));
        Assert.False(LongDouble.TryAdd(inf, LongDouble.Zero, out _));
        Assert.True(LongDouble.TryParse("1e4932"u8, out LongDouble big));
        Assert.False(LongDouble.TryAdd(big, big, out _));
        Assert.True(LongDouble.TryParse("0.5"u8, out LongDouble half));
        Assert.Equal("1.5", (LongDouble.FromLong(1) + half).ToHumanString());
    }

    private static string RandomNumber(Random r)
    {
        switch (r.Next(5))
        {
            case 0:
                {
                    var sb = new StringBuilder();
                    int n = r.Next(1, 24);
                    for (int i = 0; i < n; i++)
                    {
                        sb.Append((char)('0' + r.Next(10)));
                    }
                    sb.Insert(r.Next(sb.Length + 1), '.');
                    return (r.Next(3) == 0 ? "-" : "") + sb;
                }
            case 1:
                return $"{r.NextInt64(1, long.MaxValue) >> r.Next(0, 60)}e{r.Next(-30, 30)}";
            case 2:
                return (r.NextDouble() * Math.Pow(10, r.Next(-25, 25)) * (r.Next(2) == 0 ? -1 : 1)).ToString("R", CultureInfo.InvariantCulture);
            case 3:
                return r.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture);
            default:
                return $"0x{r.NextInt64():x}p{r.Next(-100, 100)}";
        }
    }
}
