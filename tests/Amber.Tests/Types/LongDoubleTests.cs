using System.Text;
using Amber.Text;

namespace Amber.Tests.Types;

public class LongDoubleTests
{
    private static string Sum(string a, string b)
    {
        Assert.True(LongDouble.TryParse(Encoding.ASCII.GetBytes(a), out LongDouble x));
        Assert.True(LongDouble.TryParse(Encoding.ASCII.GetBytes(b), out LongDouble y));
        Assert.True(LongDouble.TryAdd(x, y, out LongDouble sum));
        return sum.ToHumanString();
    }

    [Theory]
    [InlineData("10.5", "0.1", "10.6")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData("1", "-1", "0")]
    [InlineData("-0", "-0", "0")]
    [InlineData("0", "-1e-20", "0")]
    [InlineData("1", "0.00000000000000001", "1.00000000000000001")]
    [InlineData("0x10", "1", "17")]
    [InlineData("0x1.8", "0", "1.5")]
    [InlineData("0x1p3", ".5", "8.5")]
    [InlineData("5.", "+1e+2", "105")]
    [InlineData("123456789012345678901234567890", "0", "123456789012345678899921813504")]
    [InlineData("9223372036854775807", "1", "9223372036854775808")]
    public void AddsAndPrintsAsRedisDoes(string a, string b, string expected) => Assert.Equal(expected, Sum(a, b));

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("nan")]
    [InlineData("1e")]
    [InlineData(".")]
    [InlineData("0x")]
    [InlineData("1e5000")]
    [InlineData("1e-5000")]
    [InlineData("1_0")]
    [InlineData("--1")]
    public void RejectsWhatStrtoldRejectsForRedis(string text) =>
        Assert.False(LongDouble.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void InfinityParsesButCannotBeAdded()
    {
        Assert.True(LongDouble.TryParse("-Infinity"u8, out LongDouble inf));
        Assert.True(inf.IsInfinity);
        Assert.False(LongDouble.TryAdd(inf, LongDouble.Zero, out _));
    }

    [Fact]
    public void OverflowIsReported()
    {
        Assert.True(LongDouble.TryParse("1e4932"u8, out LongDouble big));
        Assert.False(LongDouble.TryAdd(big, big, out _));
    }

    [Fact]
    public void SubnormalsParse()
    {
        Assert.True(LongDouble.TryParse("1e-4940"u8, out LongDouble tiny));
        Assert.False(tiny.IsZero);
        Assert.Equal("0", tiny.ToHumanString());
    }
}
