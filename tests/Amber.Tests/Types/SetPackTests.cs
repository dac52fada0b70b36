using System.Text;
using Amber.Types;

namespace Amber.Tests.Types;

/// <summary>
/// Small non-integer sets live in a <see cref="SetPack"/> (Redis 7.0 would use a hash table; the encoding name stays
/// "hashtable"): checked against a model across adds, removes, dense-index removal and the conversions in and out.
/// </summary>
public class SetPackTests
{
    private static HashSet<string> Members(SetValue set)
    {
        var members = new HashSet<string>();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        for (int i = 0; i < set.Count; i++)
        {
            Assert.True(members.Add(Encoding.ASCII.GetString(set.MemberAt(i, scratch))));
        }
        return members;
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void MatchesModelUpToTheLimits(int seed)
    {
        var random = new Random(seed);
        SetValue set = SetValue.CreateFor("word"u8);
        var model = new HashSet<string>();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        for (int step = 0; step < 4000; step++)
        {
            // Lengths 0..64 (the pack's limit); up to 120 distinct members, 140 from step 3000.
            int id = random.Next(step < 3000 ? 120 : 140);
            string member = id % 13 == 0 ? "" + id : new string((char)('a' + (id % 26)), id % 60) + "#" + id;
            byte[] bytes = Encoding.ASCII.GetBytes(member);
            // Steps 3000..3499 only add, so the set passes 128 members and leaves the pack.
            int op = step is >= 3000 and < 3500 ? 0 : random.Next(10);
            if (op < 6)
            {
                Assert.Equal(model.Add(member), set.Add(bytes, 512));
            }
            else if (op < 9)
            {
                Assert.Equal(model.Remove(member), set.Remove(bytes));
            }
            else if (set.Count > 0)
            {
                int index = random.Next(set.Count);
                Assert.True(model.Remove(Encoding.ASCII.GetString(set.MemberAt(index, scratch))));
                set.RemoveAt(index);
            }
            Assert.Equal(model.Count, set.Count);
            Assert.Equal("hashtable", set.EncodingName);
            if (model.Count > SetPack.MaxEntries)
            {
                Assert.False(set.IsPack);
            }
            if (step % 40 == 0)
            {
                Assert.Equal(model, Members(set));
                Assert.Equal(model, Members(set.Clone()));
                foreach (string m in model)
                {
                    Assert.True(set.Contains(Encoding.ASCII.GetBytes(m)));
                }
            }
        }
        Assert.False(set.IsPack); // it went past 128 members at some point: the table is for good, as in Redis
    }

    [Fact]
    public void ConvertsOnlyWhereTheLimitsSay()
    {
        SetValue set = SetValue.CreateFor("a"u8);
        Assert.True(set.IsPack);
        Assert.True(set.Add(new byte[64], 512));
        Assert.True(set.IsPack);
        Assert.True(set.Add(new byte[65], 512));
        Assert.False(set.IsPack);
        Assert.Equal(2, set.Count);

        SetValue ints = SetValue.CreateIntSet();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(ints.Add(Encoding.ASCII.GetBytes((i * 1000000000000L).ToString()), 512));
        }
        Assert.True(ints.IsIntSet);
        Assert.True(ints.Add("x"u8, 512));
        Assert.True(ints.IsPack);
        Assert.Equal("hashtable", ints.EncodingName);
        Assert.True(ints.Contains("9000000000000"u8));
        Assert.False(ints.Add("9000000000000"u8, 512));
        Assert.Equal(11, ints.Count);

        // Past set-max-intset-entries the intset leaves for the pack when it fits, the table when not.
        SetValue small = SetValue.CreateIntSet();
        for (int i = 0; i < 4; i++)
        {
            small.Add(Encoding.ASCII.GetBytes(i.ToString()), 3);
        }
        Assert.True(small.IsPack);
        SetValue big = SetValue.CreateIntSet();
        for (int i = 0; i < 200; i++)
        {
            big.Add(Encoding.ASCII.GetBytes(i.ToString()), 150);
        }
        Assert.False(big.IsPack);
        Assert.False(big.IsIntSet);
        Assert.Equal(200, big.Count);
    }

    [Fact]
    public void ScanPagesLikeASmallHashTableAndCoversMembersPresentThroughout()
    {
        SetValue set = SetValue.CreateFor("apple"u8);
        string[] words = ["apple", "banana", "cherry", "date", "elder"];
        foreach (string w in words)
        {
            set.Add(Encoding.ASCII.GetBytes(w), 512);
        }
        Assert.True(set.IsPack);
        var seen = new List<string>();
        var found = new List<int>();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        ulong cursor = 0;
        int steps = 0;
        int extra = 0;
        do
        {
            found.Clear();
            cursor = set.ScanStep(cursor, found);
            foreach (int i in found)
            {
                seen.Add(Encoding.ASCII.GetString(set.MemberAt(i, scratch)));
            }
            // Growth between steps (8 -> 16 -> 32 buckets) must not lose the members present throughout.
            for (int k = 0; k < 4; k++)
            {
                set.Add(Encoding.ASCII.GetBytes("x" + extra++), 512);
            }
            steps++;
        }
        while (cursor != 0);
        Assert.True(steps > 1); // one bucket a step, as Redis's table of 8 (SSCAN COUNT 1 gives a non-zero cursor)
        foreach (string w in words)
        {
            Assert.Contains(w, seen);
        }
    }
}
