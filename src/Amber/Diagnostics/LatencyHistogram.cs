using System.Numerics;

namespace Amber.Diagnostics;

/// <summary>
/// A per-command latency distribution with the bucket layout of the HdrHistogram Redis uses for latency tracking
/// (values 1 ns .. 1 s, 2 significant figures), so INFO latencystats and LATENCY HISTOGRAM report the same numbers
/// Redis would: 128 exact values, then buckets of 128 sub-buckets each twice as wide as the last.
/// </summary>
internal sealed class LatencyHistogram
{
    private const long Lowest = 1;
    private const long Highest = 1_000_000_000;
    private const int SubBucketHalfCountMagnitude = 7;
    private const int SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude;
    private const int SubBucketMask = (1 << (SubBucketHalfCountMagnitude + 1)) - 1;
    private const int BucketCount = 23; // 256 << 22 is the first power above 1e9
    private const int CountsLength = (BucketCount + 1) * SubBucketHalfCount;

    private readonly long[] _counts = new long[CountsLength];

    public long TotalCount { get; private set; }

    /// <summary>Records one duration in nanoseconds, clamped into the tracked range as Redis does.</summary>
    public void Record(long nanoseconds)
    {
        long v = Math.Clamp(nanoseconds, Lowest, Highest);
        _counts[IndexOf(v)]++;
        TotalCount++;
    }

    public void Reset()
    {
        Array.Clear(_counts);
        TotalCount = 0;
    }

    private static int BucketIndex(long value) => 64 - BitOperations.LeadingZeroCount((ulong)(value | SubBucketMask)) - (SubBucketHalfCountMagnitude + 1);

    private static int IndexOf(long value)
    {
        int bucket = BucketIndex(value);
        int sub = (int)(value >> bucket);
        return ((bucket + 1) << SubBucketHalfCountMagnitude) + (sub - SubBucketHalfCount);
    }

    private static long ValueAt(int index)
    {
        int bucket = (index >> SubBucketHalfCountMagnitude) - 1;
        int sub = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0)
        {
            sub -= SubBucketHalfCount;
            bucket = 0;
        }
        return (long)sub << bucket;
    }

    private static long LowestEquivalent(long value)
    {
        int bucket = BucketIndex(value);
        return (value >> bucket) << bucket;
    }

    private static long HighestEquivalent(long value)
    {
        int bucket = BucketIndex(value);
        int sub = (int)(value >> bucket);
        int adjusted = sub >= SubBucketMask + 1 ? bucket + 1 : bucket;
        return LowestEquivalent(value) + (1L << adjusted) - 1;
    }

    /// <summary>The value at a percentile (0..100], in nanoseconds, as hdr_value_at_percentile reports it.</summary>
    public long ValueAtPercentile(double percentile)
    {
        double requested = Math.Min(percentile, 100.0);
        long countAt = Math.Max(1, (long)((requested / 100 * TotalCount) + 0.5));
        long total = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            total += _counts[i];
            if (total >= countAt)
            {
                long value = ValueAt(i);
                return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
            }
        }
        return 0;
    }

    /// <summary>
    /// The cumulative distribution LATENCY HISTOGRAM replies: for each power-of-two level from 1024 ns, the level's
    /// highest equivalent value in microseconds and the count of samples up to it, listing only levels that add samples.
    /// </summary>
    public List<(long Micros, long Cumulative)> CumulativeByPowerOfTwo()
    {
        var result = new List<(long, long)>();
        long previous = 0;
        long cumulative = 0;
        int index = 0;
        for (long level = 1024; previous < TotalCount && level <= Highest * 2; level *= 2)
        {
            int levelIndex = IndexOf(Math.Min(level, Highest));
            while (index <= levelIndex && index < _counts.Length)
            {
                cumulative += _counts[index++];
            }
            if (cumulative > previous)
            {
                result.Add((HighestEquivalent(level) / 1000, cumulative));
            }
            previous = cumulative;
        }
        return result;
    }
}
