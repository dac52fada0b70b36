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

    [Fact]
    public void RandomOperationsAgreeWithAModelAcrossChunksAndRehashes()
    {
        var rnd = new Random(42);
        var t = new ByteTable(withValues: true);
        var model = new Dictionary<string, string>();
        for (int round = 0; round < 60_000; round++)
        {
            // Grow to ~12k (three storage chunks), then shrink back, then grow again.
            int phase = round / 20_000;
            bool add = phase == 1 ? rnd.Next(10) < 3 : rnd.Next(10) < 7;
            string k = "k" + rnd.Next(15_000);
            if (add)
            {
                int at = t.Add(B(k), out bool added);
                Assert.Equal(!model.ContainsKey(k), added);
                t.SetValueAt(at, B("v" + round));
                model[k] = "v" + round;
            }
            else
            {
                Assert.Equal(model.Remove(k), t.Remove(B(k)));
            }
            if (round % 4999 == 0)
            {
                Assert.Equal(model.Count, t.Count);
                for (int i = 0; i < t.Count; i++)
                {
                    string key = Encoding.UTF8.GetString(t.KeyAt(i));
                    Assert.Equal(model[key], Encoding.UTF8.GetString(t.ValueAt(i)));
                    Assert.Equal(i, t.Find(t.KeyAt(i)));
                }
            }
        }
        Assert.Equal(model.Count, t.Count);
        foreach (var (k, v) in model)
        {
            int at = t.Find(B(k));
            Assert.True(at >= 0);
            Assert.Equal(v, Encoding.UTF8.GetString(t.ValueAt(at)));
        }
    }

    [Fact]
    public void ScanDuringIncrementalRehashStillReturnsEveryKey()
    {
        var t = new ByteTable(withValues: false);
        for (int i = 0; i < 5000; i++)
        {
            t.Add(B("a" + i), out _);
        }
        var seen = new HashSet<string>();
        var found = new List<int>();
        ulong cursor = 0;
        int extra = 0;
        bool sawRehash = false;
        do
        {
            found.Clear();
            cursor = t.Scan(cursor, found);
            foreach (int i in found)
            {
                seen.Add(Encoding.UTF8.GetString(t.KeyAt(i)));
            }
            // Keep the table growing (and so rehashing) while the scan runs.
            for (int j = 0; j < 8 && extra < 6000; j++)
            {
                t.Add(B("x" + extra++), out _);
            }
            sawRehash |= t.IsRehashing;
        }
        while (cursor != 0);
        Assert.True(sawRehash);
        for (int i = 0; i < 5000; i++)
        {
            Assert.Contains("a" + i, seen);
        }
    }

    [Fact]
    public void CloneIsIndependentEvenMidRehash()
    {
        var t = new ByteTable(withValues: true);
        int n = 0;
        while (!t.IsRehashing || n < 100)
        {
            t.AddNew(B("k" + n), B("v" + n));
            n++;
        }
        ByteTable copy = t.Clone();
        copy.Remove(B("k0"));
        copy.AddNew(B("new"), B("x"));
        Assert.True(t.Find(B("k0")) >= 0);
        Assert.Equal(-1, t.Find(B("new")));
        for (int i = 1; i < n; i++)
        {
            Assert.True(copy.Find(B("k" + i)) >= 0);
        }
    }

    /// <summary>
    /// A hash element is one array, varint(field length) field value: lengths around the varint's 1/2/3-byte
    /// boundaries and empty fields and values must come back exactly, through adds, in-place overwrites (same
    /// length) and resizing overwrites (other length).
    /// </summary>
    [Fact]
    public void FieldAndValueLengthsAcrossVarintBoundariesRoundTrip()
    {
        int[] lengths = [0, 1, 2, 126, 127, 128, 129, 300, 16383, 16384, 16385];
        var t = new ByteTable(withValues: true);
        var model = new Dictionary<string, byte[]>();
        byte[] Bytes(int n, int seed) => Enumerable.Range(0, n).Select(j => (byte)(j * 7 + seed)).ToArray();
        for (int f = 0; f < lengths.Length; f++)
        {
            for (int v = 0; v < lengths.Length; v++)
            {
                // Distinct fields of the same length differ in their bytes (seed); the empty field exists once.
                byte[] field = Bytes(lengths[f], v);
                byte[] value = Bytes(lengths[v], f + 100);
                string name = Convert.ToHexString(field);
                Assert.Equal(!model.ContainsKey(name), t.Set(field, value));
                model[name] = value;
            }
        }
        void Check()
        {
            Assert.Equal(model.Count, t.Count);
            for (int i = 0; i < t.Count; i++)
            {
                Assert.Equal(model[Convert.ToHexString(t.KeyAt(i))], t.ValueAt(i).ToArray());
                Assert.Equal(i, t.Find(t.KeyAt(i)));
            }
        }
        Check();
        int round = 0;
        foreach (string name in model.Keys.ToList())
        {
            byte[] field = Convert.FromHexString(name);
            int length = round++ % 2 == 0 ? model[name].Length : lengths[round % lengths.Length];
            byte[] value = Bytes(length, round);
            Assert.False(t.Set(field, value));
            model[name] = value;
        }
        Check();
        Assert.True(t.Remove([]));
        model.Remove("");
        Check();
    }

    [Fact]
    public void SameLengthOverwriteOfACloneLeavesTheOriginalUntouched()
    {
        var t = new ByteTable(withValues: true);
        for (int i = 0; i < 200; i++)
        {
            t.AddNew(B("f" + i), B("value" + i % 10));
        }
        ByteTable copy = t.Clone();
        for (int i = 0; i < 200; i++)
        {
            // Same length as "valueN": overwritten in place, so the clone must not share the element arrays.
            Assert.False(copy.Set(B("f" + i), B("VALUE" + i % 10)));
            t.SetValueAt(t.Find(B("f" + i)), B("other" + i % 10));
        }
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal("other" + i % 10, Encoding.UTF8.GetString(t.ValueAt(t.Find(B("f" + i)))));
            Assert.Equal("VALUE" + i % 10, Encoding.UTF8.GetString(copy.ValueAt(copy.Find(B("f" + i)))));
        }
    }

    [Fact]
    public void AddInATableWithValuesGivesAnEmptyValue()
    {
        var t = new ByteTable(withValues: true);
        int at = t.Add(B("field"), out bool added);
        Assert.True(added);
        Assert.Equal(0, t.ValueAt(at).Length);
        Assert.Equal("field", Encoding.UTF8.GetString(t.KeyAt(at)));
        t.SetValueAt(at, B("v"));
        Assert.Equal("v", Encoding.UTF8.GetString(t.ValueAt(t.Find(B("field")))));
    }
}
