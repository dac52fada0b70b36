using System.Text;
using Amber.Types;

namespace Amber.Tests.Types;

public class ByteTableTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void AddFindRemoveKeepsEveryOtherKeyReachable()
    {
        var t = new ByteTable(withValues: true);
        for (int i = 0; i < 1000; i++)
        {
            int at = t.Add(B("k" + i), out bool added);
            Assert.True(added);
            t.SetValueAt(at, B("v" + i));
        }
        Assert.Equal(1000, t.Count);
        t.Add(B("k5"), out bool again);
        Assert.False(again);
        for (int i = 0; i < 1000; i += 2)
        {
            Assert.True(t.Remove(B("k" + i)));
        }
        Assert.False(t.Remove(B("k0")));
        Assert.Equal(500, t.Count);
        for (int i = 0; i < 1000; i++)
        {
            int at = t.Find(B("k" + i));
            if (i % 2 == 0)
            {
                Assert.Equal(-1, at);
            }
            else
            {
                Assert.Equal("v" + i, Encoding.UTF8.GetString(t.ValueAt(at)));
            }
        }
    }

    [Fact]
    public void ShrinksWhenMostlyEmptyAndStaysCorrect()
    {
        var t = new ByteTable(withValues: false);
        for (int i = 0; i < 4096; i++)
        {
            t.Add(B(i.ToString()), out _);
        }
        int big = t.BucketCount;
        for (int i = 0; i < 4090; i++)
        {
            Assert.True(t.Remove(B(i.ToString())));
        }
        Assert.True(t.BucketCount < big);
        for (int i = 4090; i < 4096; i++)
        {
            Assert.True(t.Find(B(i.ToString())) >= 0);
        }
    }

    [Fact]
    public void ScanReturnsEveryKeyEvenWhenTheTableResizesBetweenCalls()
    {
        var t = new ByteTable(withValues: false);
        for (int i = 0; i < 300; i++)
        {
            t.Add(B("a" + i), out _);
        }
        var seen = new HashSet<string>();
        var found = new List<int>();
        ulong cursor = 0;
        int step = 0;
        do
        {
            found.Clear();
            cursor = t.Scan(cursor, found);
            foreach (int i in found)
            {
                seen.Add(Encoding.UTF8.GetString(t.KeyAt(i)));
            }
            step++;
            if (step == 20)
            {
                for (int i = 0; i < 2000; i++)
                {
                    t.Add(B("b" + i), out _);
                }
            }
            if (step == 400)
            {
                for (int i = 0; i < 2000; i++)
                {
                    t.Remove(B("b" + i));
                }
            }
        }
        while (cursor != 0);
        for (int i = 0; i < 300; i++)
        {
            Assert.Contains("a" + i, seen);
        }
    }
}
