namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// A dataset load in progress (startup, DEBUG RELOAD): while <see cref="Active"/> the executor answers -LOADING to
/// commands without the loading flag, and INFO persistence reports loading:1 with the loading_* progress fields.
/// The loader thread updates the counters; INFO reads them from other threads, hence the volatile fields.
/// </summary>
internal sealed class LoadingState
{
    private volatile bool _active;
    private long _loadedBytes;
    private long _keysLoaded;
    private long _keysExpired;

    public bool Active => _active;

    public long StartUnixSeconds { get; private set; }
    public long TotalBytes { get; private set; }

    /// <summary>The used-mem AUX field of the file being loaded (loading_rdb_used_mem), 0 until read.</summary>
    public long RdbUsedMemory { get; set; }

    public long LoadedBytes => Volatile.Read(ref _loadedBytes);
    public long KeysLoaded => Volatile.Read(ref _keysLoaded);
    public long KeysExpired => Volatile.Read(ref _keysExpired);

    public void Begin(long totalBytes)
    {
        StartUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        TotalBytes = totalBytes;
        RdbUsedMemory = 0;
        Volatile.Write(ref _loadedBytes, 0);
        Volatile.Write(ref _keysLoaded, 0);
        Volatile.Write(ref _keysExpired, 0);
        _active = true;
    }

    public void Report(long loadedBytes, long keysLoaded, long keysExpired)
    {
        Volatile.Write(ref _loadedBytes, loadedBytes);
        Volatile.Write(ref _keysLoaded, keysLoaded);
        Volatile.Write(ref _keysExpired, keysExpired);
    }

    public void End() => _active = false;

    /// <summary>loading_loaded_perc.</summary>
    public double Percent => TotalBytes > 0 ? (double)LoadedBytes / TotalBytes * 100 : 0;

    /// <summary>loading_eta_seconds as Redis estimates it: elapsed time scaled by the bytes left, 1 in the first second.</summary>
    public long EtaSeconds(long nowUnixSeconds)
    {
        long elapsed = nowUnixSeconds - StartUnixSeconds;
        if (elapsed <= 0)
        {
            return 1;
        }
        long loaded = LoadedBytes;
        return elapsed * Math.Max(0, TotalBytes - loaded) / (loaded + 1);
    }
}
