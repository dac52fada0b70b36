using Amber.Text;

namespace Amber.Tests;

/// <summary>SORT's score parsing: accepted and rejected texts as checked one by one against redis-server 7.0.15.</summary>
public class CStrtodTests
{
    [Theory]
    [InlineData("", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData(" \t7", 7.0)]
    [InlineData("+5", 5.0)]
    [InlineData("-0", 0.0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("-.5e1", -5.0)]
    [InlineData("1e+5", 100000.0)]
    [InlineData("1e308", 1e308)]
    [InlineData("0x10", 16.0)]
    [InlineData("0x1p3", 8.0)]
    [InlineData("0X1P-2", 0.25)]
    [InlineData("0x.8", 0.5)]
    [InlineData("0x1.8p1", 3.0)]
    [InlineData("0x1p-1074", double.Epsilon)]
    [InlineData("2.2250738585072014e-308", 2.2250738585072014e-308)]
    [InlineData("0e-400", 0.0)]
    [InlineData("0e999999", 0.0)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-INFINITY", double.NegativeInfinity)]
    [InlineData("iNf", double.PositiveInfinity)]
    [InlineData("5\0x", 5.0)]
    [InlineData("\0abc", 0.0)]
    public void Accepts(string text, double expected)
    {
        Assert.True(CStrtod.TryParseWhole(System.Text.Encoding.Latin1.GetBytes(text), out double value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("5 ")]
    [InlineData(".")]
    [InlineData("e5")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("++1")]
    [InlineData("1,5")]
    [InlineData("1_0")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("0x")]
    [InlineData("0xg")]
    [InlineData("infx")]
    [InlineData("infinit")]
    [InlineData("nan")]
    [InlineData("-nan")]
    [InlineData("nan(1)")]
    [InlineData("1e309")]
    [InlineData("0x1p1024")]
    [InlineData("1e-310")]
    [InlineData("1e-400")]
    [InlineData("2e-308")]
    [InlineData("2.2250738585072011e-308")]
    [InlineData("0x1p-1075")]
    [InlineData("0x3p-1075")]
    public void Rejects(string text) => Assert.False(CStrtod.TryParseWhole(System.Text.Encoding.Latin1.GetBytes(text), out _));
}
