using System.Buffers;

namespace Amber.Types;

/// <summary>Uniform random choices of distinct dense indices, for HRANDFIELD, SRANDMEMBER and SPOP with a count.</summary>
internal static class RandomPicks
{
    /// <summary>
    /// Returns a rented array whose first <paramref name="count"/> items are distinct indices below <paramref name="size"/>,
    /// in random order (count &lt; size). Give it back with <see cref="Return"/>.
    /// </summary>
    public static int[] RentDistinct(Random random, int size, int count)
    {
        if ((long)count * 3 > size)
        {
            // Many of the elements: a partial Fisher-Yates shuffle of all indices.
            int[] all = ArrayPool<int>.Shared.Rent(size);
            for (int i = 0; i < size; i++)
            {
                all[i] = i;
            }
            for (int i = 0; i < count; i++)
            {
                int j = i + random.Next(size - i);
                (all[i], all[j]) = (all[j], all[i]);
            }
            return all;
        }
        // Few of many: draw until enough distinct ones (expected under 1.5 draws each).
        int[] picks = ArrayPool<int>.Shared.Rent(count);
        var seen = new HashSet<int>(count);
        int n = 0;
        while (n < count)
        {
            int i = random.Next(size);
            if (seen.Add(i))
            {
                picks[n++] = i;
            }
        }
        return picks;
    }

    public static void Return(int[] picks) => ArrayPool<int>.Shared.Return(picks);
}
