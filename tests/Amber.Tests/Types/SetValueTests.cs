using System.Text;
using Amber.Types;

namespace Amber.Tests.Types;

public class SetValueTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<string> Members(SetValue s)
    {
        var list = new List<string>();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        for (int i = 0; i < s.Count; i++)
        {
            list.Add(Encoding.UTF8.GetString(s.MemberAt(i, scratch)));
        }
        return list;
    }

    [Fact]
    public void IntegersStayAnIntSetInAscendingOrder()
    {
        var s = SetValue.CreateFor(B("5"));
        foreach (string m in new[] { "5", "-3", "9223372036854775807", "-9223372036854775808", "0", "5" })
        {
            s.Add(B(m), 512);
        }
        Assert.Equal("intset", s.EncodingName);
        Assert.Equal(["-9223372036854775808", "-3", "0", "5", "9223372036854775807"], Members(s));
        Assert.True(s.Contains(B("-3")));
        Assert.False(s.Contains(B("abc")));
        Assert.False(s.Contains(B("03")));
        Assert.True(s.Remove(B("0")));
        Assert.False(s.Remove(B("x")));
        Assert.Equal(4, s.Count);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("01")]
    [InlineData("-0")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("9223372036854775808")]
    public void NonCanonicalIntegersConvertToHashTable(string member)
    {
        var s = SetValue.CreateFor(B("1"));
        s.Add(B("1"), 512);
        Assert.Equal("intset", s.EncodingName);
        Assert.True(s.Add(B(member), 512));
        Assert.Equal("hashtable", s.EncodingName);
        Assert.True(s.Contains(B("1")));
        Assert.True(s.Contains(B(member)));
        Assert.False(s.Add(B("1"), 512));
    }

    [Fact]
    public void IntSetConvertsPastTheEntryLimit()
    {
        var s = SetValue.CreateIntSet();
        for (int i = 0; i < 3; i++)
        {
            s.Add(B(i.ToString()), 3);
        }
        Assert.Equal("intset", s.EncodingName);
        s.Add(B("3"), 3);
        Assert.Equal("hashtable", s.EncodingName);
        Assert.Equal(["0", "1", "2", "3"], Members(s).Order().ToList());
    }

    [Fact]
    public void FirstMemberChoosesTheEncoding()
    {
        Assert.Equal("intset", SetValue.CreateFor(B("12")).EncodingName);
        Assert.Equal("hashtable", SetValue.CreateFor(B("a")).EncodingName);
    }

    [Fact]
    public void RemoveAtKeepsDenseIndicesValid()
    {
        var s = SetValue.CreateFor(B("a"));
        for (int i = 0; i < 100; i++)
        {
            s.Add(B("m" + i), 512);
        }
        var rnd = new Random(1);
        var removed = new HashSet<string>();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        while (s.Count > 0)
        {
            int i = rnd.Next(s.Count);
            Assert.True(removed.Add(Encoding.UTF8.GetString(s.MemberAt(i, scratch))));
            s.RemoveAt(i);
        }
        Assert.Equal(100, removed.Count);
    }
}
