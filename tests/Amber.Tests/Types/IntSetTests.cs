using Amber.Types;

namespace Amber.Tests.Types;

/// <summary>The intset against a SortedSet model, across the 2/4/8-byte widths and their boundaries.</summary>
public class IntSetTests
{
    private static readonly long[] Boundaries =
    [
        0, 1, -1, short.MaxValue, short.MinValue, short.MaxValue + 1L, short.MinValue - 1L,
        int.MaxValue, int.MinValue, int.MaxValue + 1L, int.MinValue - 1L, long.MaxValue, long.MinValue,
    ];

    private static void AssertSame(SortedSet<long> model, IntSet set)
    {
        Assert.Equal(model.Count, set.Count);
        int i = 0;
        foreach (long v in model)
        {
            Assert.Equal(v, set[i++]);
            Assert.True(set.Contains(v));
        }
    }

    [Fact]
    public void Widens_when_a_wider_member_arrives_and_keeps_order()
    {
        var set = new IntSet();
        var model = new SortedSet<long>();
        foreach (long v in Boundaries)
        {
            Assert.Equal(model.Add(v), set.Add(v));
            AssertSame(model, set);
        }
        foreach (long v in Boundaries)
        {
            Assert.False(set.Add(v));
        }
        Assert.False(set.Contains(42));
        Assert.False(set.Remove(42));
    }

    [Fact]
    public void Wider_values_are_not_found_in_a_narrow_set()
    {
        var set = new IntSet();
        set.Add(5);
        Assert.False(set.Contains(70000));
        Assert.False(set.Contains(-70000));
        Assert.False(set.Contains(long.MaxValue));
        Assert.False(set.Remove(long.MinValue));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Random_operations_match_a_sorted_set_model()
    {
        var rng = new Random(7);
        var set = new IntSet();
        var model = new SortedSet<long>();
        for (int step = 0; step < 20000; step++)
        {
            long v = rng.Next(4) switch
            {
                0 => rng.Next(-50, 50),
                1 => rng.Next(short.MinValue - 10, short.MaxValue + 10),
                2 => rng.NextInt64(int.MinValue - 10L, int.MaxValue + 10L),
                _ => Boundaries[rng.Next(Boundaries.Length)],
            };
            if (rng.Next(3) == 0)
            {
                Assert.Equal(model.Remove(v), set.Remove(v));
            }
            else if (model.Count < 600)
            {
                Assert.Equal(model.Add(v), set.Add(v));
            }
            if (step % 97 == 0 && set.Count > 0)
            {
                int at = rng.Next(set.Count);
                long removed = set[at];
                set.RemoveAt(at);
                model.Remove(removed);
            }
            if (step % 500 == 0)
            {
                AssertSame(model, set);
                // The same members after other bytes (as after a key in an entry's array), changed there too.
                var shifted = new IntSet([7, 7, .. set.Data], 2);
                AssertSame(model, shifted);
                long absent = model.Contains(long.MaxValue) ? long.MaxValue - 1 : long.MaxValue;
                Assert.True(shifted.Add(absent));
                Assert.True(shifted.Remove(absent));
                AssertSame(model, shifted);
                Assert.Equal([7, 7], shifted.Data[..2]);
            }
        }
        AssertSame(model, set);
        while (model.Count > 0)
        {
            long v = model.Min;
            model.Remove(v);
            Assert.True(set.Remove(v));
        }
        Assert.Equal(0, set.Count);
    }
}
