using System.Text;
using Amber.Types;

namespace Amber.Tests.Types;

public class HashValueTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string Get(HashValue h, string field) =>
        h.TryGet(B(field), out ReadOnlySpan<byte> v) ? Encoding.UTF8.GetString(v) : "(nil)";

    [Fact]
    public void SmallHashIsAListPackInInsertionOrder()
    {
        var h = new HashValue();
        Assert.True(h.Set(B("b"), B("1"), 128, 64));
        Assert.True(h.Set(B("a"), B("2"), 128, 64));
        Assert.False(h.Set(B("b"), B("longer value"), 128, 64));
        Assert.Equal("listpack", h.EncodingName);
        Assert.Equal("longer value", Get(h, "b"));
        var fields = new List<string>();
        HashValue.PairEnumerator e = h.GetEnumerator();
        while (e.MoveNext())
        {
            fields.Add(Encoding.UTF8.GetString(e.Field) + "=" + Encoding.UTF8.GetString(e.Value));
        }
        Assert.Equal(["b=longer value", "a=2"], fields);
        Assert.True(h.Delete(B("b")));
        Assert.False(h.Delete(B("b")));
        Assert.Equal(1, h.Count);
        Assert.Equal("2", Get(h, "a"));
    }

    [Fact]
    public void ConvertsToHashTableWhenTooManyFields()
    {
        var h = new HashValue();
        for (int i = 0; i < 4; i++)
        {
            h.Set(B("f" + i), B("v" + i), 4, 64);
        }
        Assert.Equal("listpack", h.EncodingName);
        h.Set(B("f4"), B("v4"), 4, 64);
        Assert.Equal("hashtable", h.EncodingName);
        Assert.Equal(5, h.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("v" + i, Get(h, "f" + i));
        }
    }

    [Theory]
    [InlineData(65, 1)]
    [InlineData(1, 65)]
    public void ConvertsToHashTableWhenAFieldOrValueIsTooLong(int fieldLength, int valueLength)
    {
        var h = new HashValue();
        h.Set(B("x"), B("y"), 128, 64);
        h.Set(new byte[fieldLength], new byte[valueLength], 128, 64);
        Assert.Equal("hashtable", h.EncodingName);
        Assert.Equal("y", Get(h, "x"));
    }

    [Fact]
    public void ValuesOfEveryLengthRoundTripInTheListPack()
    {
        var h = new HashValue();
        int[] lengths = [0, 1, 127, 128, 300, 20000, 5];
        foreach (int n in lengths)
        {
            h.Set(B("f" + n), Enumerable.Repeat((byte)'x', n).ToArray(), 128, int.MaxValue);
        }
        h.Set(B("f127"), new byte[129], 128, int.MaxValue);
        h.Set(B("f20000"), new byte[1], 128, int.MaxValue);
        Assert.Equal("listpack", h.EncodingName);
        Assert.True(h.TryGet(B("f127"), out ReadOnlySpan<byte> v) && v.Length == 129);
        Assert.True(h.TryGet(B("f20000"), out v) && v.Length == 1);
        Assert.True(h.TryGet(B("f300"), out v) && v.Length == 300);
        Assert.True(h.TryGet(B("f5"), out v) && v.Length == 5);
        Assert.True(h.TryGet(B("f0"), out v) && v.Length == 0);
    }

    [Fact]
    public void DenseIndexReachesEveryPairInBothEncodings()
    {
        foreach (int max in new[] { 128, 2 })
        {
            var h = new HashValue();
            for (int i = 0; i < 10; i++)
            {
                h.Set(B("f" + i), B("v" + i), max, 64);
            }
            int[]? index = h.RentIndex();
            var seen = new HashSet<string>();
            for (int i = 0; i < h.Count; i++)
            {
                h.GetPair(i, index, out ReadOnlySpan<byte> f, out ReadOnlySpan<byte> v);
                Assert.Equal(Encoding.UTF8.GetString(f)[1..], Encoding.UTF8.GetString(v)[1..]);
                seen.Add(Encoding.UTF8.GetString(f));
            }
            HashValue.ReturnIndex(index);
            Assert.Equal(10, seen.Count);
        }
    }

    [Fact]
    public void OverwritingAValueOfTheSameLengthLeavesACloneUnchanged()
    {
        var h = new HashValue();
        Assert.True(h.Set(B("f"), B("old"), 0, 64));
        Assert.Equal("hashtable", h.EncodingName);
        HashValue copy = h.Clone();

        Assert.False(h.Set(B("f"), B("new"), 0, 64));
        Assert.True(h.Set(B("g"), B("1"), 0, 64));

        Assert.Equal("new", Get(h, "f"));
        Assert.Equal("old", Get(copy, "f"));
        Assert.Equal("(nil)", Get(copy, "g"));
    }
}

public class ValueCloneTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData(128)]
    [InlineData(1)]
    public void HashCloneIsIndependent(int maxEntries)
    {
        var h = new HashValue();
        h.Set(B("a"), B("1"), maxEntries, 64);
        h.Set(B("b"), B("2"), maxEntries, 64);
        HashValue copy = h.Clone();
        copy.Set(B("a"), B("changed"), maxEntries, 64);
        copy.Delete(B("b"));
        copy.Set(B("c"), B("3"), maxEntries, 64);
        Assert.True(h.TryGet(B("a"), out ReadOnlySpan<byte> v) && v.SequenceEqual("1"u8));
        Assert.True(h.Contains(B("b")));
        Assert.False(h.Contains(B("c")));
        Assert.Equal(2, h.Count);
        Assert.Equal(2, copy.Count);
        Assert.Equal(h.EncodingName, copy.EncodingName);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("x")]
    public void SetCloneIsIndependent(string first)
    {
        var s = SetValue.CreateFor(B(first));
        s.Add(B(first), 512);
        s.Add(B("2"), 512);
        SetValue copy = s.Clone();
        copy.Remove(B("2"));
        copy.Add(B("3"), 512);
        Assert.True(s.Contains(B("2")));
        Assert.False(s.Contains(B("3")));
        Assert.Equal(s.EncodingName, copy.EncodingName);
        Assert.Equal(2, copy.Count);
    }
}
