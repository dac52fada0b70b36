using System.Text;
using Amber.Text;
using Amber.Types;

namespace Amber.Tests;

/// <summary>The sorted-set value type against a naive model: random inserts, updates, deletes, rank and range queries.</summary>
public class SortedSetStructureTests
{
    private sealed class Model
    {
        public readonly Dictionary<string, double> Scores = [];

        public List<(string Member, double Score)> Ordered()
        {
            var list = new List<(string Member, double Score)>();
            foreach (KeyValuePair<string, double> kv in Scores)
            {
                list.Add((kv.Key, kv.Value));
            }
            list.Sort((a, b) =>
            {
                int c = a.Score.CompareTo(b.Score);
                return c != 0 ? c : Encoding.UTF8.GetBytes(a.Member).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.Member));
            });
            return list;
        }
    }

    private static List<(string Member, double Score)> Contents(SortedSet set)
    {
        var list = new List<(string Member, double Score)>();
        for (int h = set.First(); h != SortedSet.Nil; h = set.Next(h))
        {
            list.Add((Encoding.UTF8.GetString(set.MemberAt(h)), set.ScoreAt(h)));
        }
        return list;
    }

    [Theory]
    [InlineData(1, 128)]
    [InlineData(2, 128)]
    [InlineData(3, 0)]
    [InlineData(4, 100000)]
    public void RandomOperationsMatchNaiveModel(int seed, int maxEntries)
    {
        var random = new Random(seed);
        var limits = new ZSetLimits(maxEntries, 64);
        var set = new SortedSet();
        var model = new Model();
        for (int step = 0; step < 4000; step++)
        {
            // Small member space and few distinct scores: many ties, many updates of existing members.
            string member = "m" + random.Next(600);
            byte[] bytes = Encoding.UTF8.GetBytes(member);
            double score = random.Next(4) == 0 ? random.Next(-5, 5) : Math.Round(random.NextDouble() * 100, 2);
            int op = random.Next(10);
            int h = set.Find(bytes);
            Assert.Equal(model.Scores.ContainsKey(member), h != SortedSet.Nil);
            if (op < 5)
            {
                if (h == SortedSet.Nil)
                {
                    set.Insert(bytes, score, limits);
                }
                else
                {
                    set.UpdateScore(h, score);
                }
                model.Scores[member] = score;
            }
            else if (op < 8)
            {
                Assert.Equal(model.Scores.Remove(member), set.Remove(bytes));
            }
            else if (op == 8 && set.Count > 0)
            {
                int a = random.Next(set.Count);
                int b = Math.Min(set.Count - 1, a + random.Next(5));
                List<(string Member, double Score)> ordered = model.Ordered();
                for (int i = a; i <= b; i++)
                {
                    model.Scores.Remove(ordered[i].Member);
                }
                set.RemoveRankRange(a, b);
            }
            Assert.Equal(model.Scores.Count, set.Count);
            if (step % 50 == 0 || set.Count < 10)
            {
                CheckAgainstModel(set, model, random);
            }
        }
        CheckAgainstModel(set, model, random);
        if (maxEntries == 0)
        {
            Assert.False(set.IsCompact);
        }
        if (maxEntries == 100000)
        {
            Assert.True(set.IsCompact);
        }
    }

    private static void CheckAgainstModel(SortedSet set, Model model, Random random)
    {
        set.Validate();
        List<(string Member, double Score)> expected = model.Ordered();
        Assert.Equal(expected, Contents(set));
        for (int i = 0; i < expected.Count; i++)
        {
            int h = set.AtRank(i);
            Assert.Equal(expected[i].Member, Encoding.UTF8.GetString(set.MemberAt(h)));
            Assert.Equal(i, set.RankOf(set.Find(Encoding.UTF8.GetBytes(expected[i].Member))));
        }
        // Reverse walk.
        var backwards = new List<string>();
        for (int h = set.Last(); h != SortedSet.Nil; h = set.Prev(h))
        {
            backwards.Add(Encoding.UTF8.GetString(set.MemberAt(h)));
        }
        backwards.Reverse();
        Assert.Equal(expected.ConvertAll(e => e.Member), backwards);
        // Score ranges turned into ranks.
        for (int k = 0; k < 5; k++)
        {
            double lo = random.Next(-6, 100);
            double hi = lo + random.Next(0, 30);
            bool loEx = random.Next(2) == 0;
            bool hiEx = random.Next(2) == 0;
            var range = new ZScoreRange(lo, loEx, hi, hiEx);
            int first = set.CountPrefix(range.Before);
            int last = set.CountPrefix(range.UpTo) - 1;
            int expectedFirst = expected.FindIndex(e => range.AboveMin(e.Score));
            int expectedLast = expected.FindLastIndex(e => range.BelowMax(e.Score));
            if (expectedFirst < 0)
            {
                expectedFirst = expected.Count;
            }
            Assert.Equal(expectedFirst, first);
            Assert.Equal(expectedLast, last);
        }
    }

    [Fact]
    public void LexRangesCountLikeAScan()
    {
        var set = new SortedSet();
        var limits = new ZSetLimits(4, 64); // small limit so both encodings are exercised
        string[] members = ["a", "aa", "ab", "b", "ba", "c", "d", "e"];
        foreach (string m in members)
        {
            set.Insert(Encoding.UTF8.GetBytes(m), 0, limits);
        }
        Assert.False(set.IsCompact);
        Check("[a", "(b", 0, 2);
        Check("(a", "[b", 1, 3);
        Check("-", "+", 0, 7);
        Check("[c", "[c", 5, 5);
        Check("(c", "+", 6, 7);

        void Check(string min, string max, int first, int last)
        {
            Assert.True(ZLexRange.TryParse(Encoding.UTF8.GetBytes(min), Encoding.UTF8.GetBytes(max), out ZLexRange r));
            Assert.Equal(first, set.CountPrefix(r.Before));
            Assert.Equal(last, set.CountPrefix(r.UpTo) - 1);
        }
    }

    [Fact]
    public void CompactEncodingDropsNegativeZeroButLargeKeepsIt()
    {
        var compact = new SortedSet();
        compact.Insert("a"u8, -0.0, ZSetLimits.Default);
        Assert.False(double.IsNegative(compact.ScoreAt(compact.Find("a"u8))));

        SortedSet large = SortedSet.CreateLarge(4);
        large.Insert("a"u8, -0.0, ZSetLimits.Default);
        Assert.True(double.IsNegative(large.ScoreAt(large.Find("a"u8))));
        large.CompactIfFits(ZSetLimits.Default);
        Assert.True(large.IsCompact);
        Assert.False(double.IsNegative(large.ScoreAt(large.Find("a"u8))));
    }

    [Fact]
    public void LongMemberSwitchesToLargeEncoding()
    {
        var set = new SortedSet();
        set.Insert("short"u8, 1, ZSetLimits.Default);
        Assert.True(set.IsCompact);
        set.Insert(new byte[65], 2, ZSetLimits.Default);
        Assert.False(set.IsCompact);
        Assert.Equal(2, set.Count);
        set.Validate();
    }

    [Fact]
    public void CloneIsIndependent()
    {
        foreach (int size in new[] { 3, 300 })
        {
            var set = new SortedSet();
            for (int i = 0; i < size; i++)
            {
                set.Insert(Encoding.UTF8.GetBytes("m" + i), i, ZSetLimits.Default);
            }
            SortedSet copy = set.Clone();
            set.Remove("m0"u8);
            Assert.Equal(size, copy.Count);
            Assert.Equal(size - 1, set.Count);
            Assert.Equal(set.IsCompact, copy.IsCompact);
            copy.Validate();
        }
    }

    [Fact]
    public void ScanCoversEveryMemberAcrossGrowthAndShrink()
    {
        SortedSet set = SortedSet.CreateLarge(4);
        for (int i = 0; i < 1000; i++)
        {
            set.Insert(Encoding.UTF8.GetBytes("m" + i), i, ZSetLimits.Default);
        }
        var seen = new HashSet<string>();
        var handles = new List<int>();
        ulong cursor = 0;
        int calls = 0;
        do
        {
            handles.Clear();
            cursor = set.ScanBucket(cursor, handles);
            foreach (int h in handles)
            {
                seen.Add(Encoding.UTF8.GetString(set.MemberAt(h)));
            }
            calls++;
            // Change the table size mid-scan: members present throughout must still be returned.
            if (calls == 100)
            {
                for (int i = 1000; i < 3000; i++)
                {
                    set.Insert(Encoding.UTF8.GetBytes("x" + i), i, ZSetLimits.Default);
                }
            }
            if (calls == 600)
            {
                for (int i = 1000; i < 3000; i++)
                {
                    set.Remove(Encoding.UTF8.GetBytes("x" + i));
                }
            }
        }
        while (cursor != 0);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Contains("m" + i, seen);
        }
    }

    [Theory]
    [InlineData("1", true, 1.0)]
    [InlineData("-2.5", true, -2.5)]
    [InlineData("+1", true, 1.0)]
    [InlineData(".5", true, 0.5)]
    [InlineData("5.", true, 5.0)]
    [InlineData("0x10", true, 16.0)]
    [InlineData("0x1p3", true, 8.0)]
    [InlineData("inf", true, double.PositiveInfinity)]
    [InlineData("-Infinity", true, double.NegativeInfinity)]
    [InlineData("1e-310", true, 1e-310)]
    [InlineData("1e400", false, 0.0)]
    [InlineData("1e-400", false, 0.0)]
    [InlineData("nan", false, 0.0)]
    [InlineData(" 1", false, 0.0)]
    [InlineData("1 ", false, 0.0)]
    [InlineData("", false, 0.0)]
    [InlineData("1e", false, 0.0)]
    [InlineData("infinit", false, 0.0)]
    [InlineData("abc", false, 0.0)]
    public void StrictDoubleParsingFollowsRedis(string text, bool ok, double expected)
    {
        Assert.Equal(ok, CDouble.TryParseStrict(Encoding.ASCII.GetBytes(text), out double value));
        if (ok)
        {
            Assert.Equal(expected, value);
        }
    }

    [Theory]
    [InlineData("", true, 0.0)]
    [InlineData(" 1", true, 1.0)]
    [InlineData("1e400", true, double.PositiveInfinity)]
    [InlineData("1 ", false, 0.0)]
    [InlineData("nan", false, 0.0)]
    public void RangeBoundParsingIsLenientLikeStrtod(string text, bool ok, double expected)
    {
        Assert.Equal(ok, CDouble.TryParseLenient(Encoding.ASCII.GetBytes(text), out double value));
        if (ok)
        {
            Assert.Equal(expected, value);
        }
    }
}
