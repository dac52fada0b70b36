namespace Amber.Keyspace;

/// <summary>
/// Per-key access bookkeeping behind OBJECT IDLETIME and OBJECT FREQ and, later, LRU/LFU eviction.
/// Under an LFU maxmemory policy <see cref="Entry.Frequency"/> is Redis's logarithmic counter and
/// <see cref="Entry.LastAccessSeconds"/> the time of its last decay; otherwise LastAccessSeconds is the last access.
/// </summary>
internal static class AccessTracking
{
    /// <summary>Redis's LFU_INIT_VAL: new keys start here so they are not evicted before they had a chance to be used.</summary>
    public const byte LfuInitialValue = 5;

    /// <summary>Redis's default lfu-log-factor.</summary>
    public const int LfuLogFactor = 10;

    /// <summary>Redis's default lfu-decay-time, in minutes.</summary>
    public const int LfuDecayMinutes = 1;

    public static bool IsLfu(string maxMemoryPolicy) => maxMemoryPolicy.EndsWith("lfu", StringComparison.Ordinal);

    /// <summary>LRU and LFU policies keep a clock per key, so Redis stops sharing small integer objects under them.</summary>
    public static bool NeedsPrivateClock(string maxMemoryPolicy) =>
        maxMemoryPolicy.EndsWith("lfu", StringComparison.Ordinal) || maxMemoryPolicy.EndsWith("lru", StringComparison.Ordinal);

    public static uint Seconds(long unixMs) => (uint)(unixMs / 1000);

    /// <summary>Records an access under an LFU policy: decay the counter for the idle minutes, then a logarithmic increment.</summary>
    public static void CountAccess(Entry e, uint nowSeconds, Random random)
    {
        int counter = DecayedFrequency(e, nowSeconds);
        if (counter < 255)
        {
            int baseValue = Math.Max(0, counter - LfuInitialValue);
            double p = 1.0 / (baseValue * LfuLogFactor + 1);
            if (random.NextDouble() < p)
            {
                counter++;
            }
        }
        e.Frequency = (byte)counter;
        e.LastAccessSeconds = nowSeconds;
    }

    /// <summary>The LFU counter less one per <see cref="LfuDecayMinutes"/> idle (OBJECT FREQ; does not store it).</summary>
    public static int DecayedFrequency(Entry e, uint nowSeconds) => DecayedFrequency(e.Frequency, e.LastAccessSeconds, nowSeconds);

    /// <summary>The same from a copy of the entry's <see cref="Entry.Frequency"/> and <see cref="Entry.LastAccessSeconds"/>.</summary>
    public static int DecayedFrequency(byte frequency, uint lastAccessSeconds, uint nowSeconds)
    {
        uint elapsedMinutes = nowSeconds / 60 >= lastAccessSeconds / 60 ? nowSeconds / 60 - lastAccessSeconds / 60 : 0;
        uint periods = elapsedMinutes / LfuDecayMinutes;
        return periods >= frequency ? 0 : frequency - (int)periods;
    }

    /// <summary>Seconds since the last access (OBJECT IDLETIME).</summary>
    public static long IdleSeconds(Entry e, uint nowSeconds) => IdleSeconds(e.LastAccessSeconds, nowSeconds);

    /// <summary>The same from a copy of the entry's <see cref="Entry.LastAccessSeconds"/>.</summary>
    public static long IdleSeconds(uint lastAccessSeconds, uint nowSeconds) =>
        nowSeconds >= lastAccessSeconds ? nowSeconds - lastAccessSeconds : 0;
}
