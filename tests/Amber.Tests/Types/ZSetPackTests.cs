using Amber.Types;

namespace Amber.Tests.Types;

/// <summary>
/// The compact sorted-set encoding (<see cref="ZSetPack"/>) against a model, with what the generic structure tests
/// do not reach: members past 127 bytes (multi-byte back lengths), scores that are not small integers (beyond 2^53,
/// fractions, infinities, the int64 edges) and in-place score updates that change an entry's size.
/// </summary>
public class ZSetPackTests
{
    private static readonly double[] Scores =
    [
        0, 1, -1, 63, -64, 64, 5_000_000, -5_000_000, 1.5, -2.25, 9007199254740992d, -9007199254740992d,
        9007199254740994d, 1e300, -1e-300, long.MaxValue, long.MinValue, double.PositiveInfinity, double.NegativeInfinity,
    ];

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void MatchesModelWithLongMembersAndOddScores(int seed)
    {
        var random = new Random(seed);
        var limits = new ZSetLimits(int.MaxValue, int.MaxValue);
        var set = new SortedSet();
        var model = new Dictionary<string, double>();
        for (int step = 0; step < 3000; step++)
        {
            int id = random.Next(60);
            // Member lengths 1..~400: ids under 20 are long, so back lengths take 2 or 3 bytes.
            string member = id < 20 ? new string((char)('a' + id), 120 + id * 15) : "m" + id;
            byte[] bytes = System.Text.Encoding.ASCII.GetBytes(member);
            double score = Scores[random.Next(Scores.Length)];
            int h = set.Find(bytes);
            if (random.Next(4) > 0)
            {
                if (h == SortedSet.Nil)
                {
                    set.Insert(bytes, score, limits);
                }
                else
                {
                    set.UpdateScore(h, score);
                }
                model[member] = score;
            }
            else
            {
                Assert.Equal(model.Remove(member), set.Remove(bytes));
            }
            Assert.True(set.IsCompact);
            Assert.Equal(model.Count, set.Count);
            if (step % 25 == 0)
            {
                set.Validate();
                var expected = model.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
                int rank = 0;
                for (int at = set.First(); at != SortedSet.Nil; at = set.Next(at), rank++)
                {
                    Assert.Equal(expected[rank].Key, System.Text.Encoding.ASCII.GetString(set.MemberAt(at)));
                    Assert.Equal(expected[rank].Value, set.ScoreAt(at));
                    Assert.Equal(at, set.AtRank(rank));
                    Assert.Equal(rank, set.RankOf(at));
                }
                Assert.Equal(expected.Count, rank);
                for (int at = set.Last(); at != SortedSet.Nil; at = set.Prev(at))
                {
                    Assert.Equal(expected[--rank].Key, System.Text.Encoding.ASCII.GetString(set.MemberAt(at)));
                }
                Assert.Equal(0, rank);
                SortedSet copy = set.Clone();
                copy.Validate();
                Assert.Equal(set.Count, copy.Count);
            }
        }
    }

    [Fact]
    public void SmallIntegerScoresTakeOneByte()
    {
        // member length, 1-byte member, score, back length.
        Assert.Equal(4, ZSetPack.EntrySize(1, 63));
        Assert.Equal(4, ZSetPack.EntrySize(1, -63));
        Assert.Equal(5, ZSetPack.EntrySize(1, 64));
        Assert.Equal(12, ZSetPack.EntrySize(1, 1.5));
        // A 200-byte member: a 2-byte length and a 2-byte back length.
        Assert.Equal(2 + 200 + 1 + 2, ZSetPack.EntrySize(200, 1));
    }
}
