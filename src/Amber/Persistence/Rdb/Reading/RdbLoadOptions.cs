using Amber.Config;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// The encoding thresholds values are built under: the same settings Amber's commands obey, so a loaded value has the
/// encoding the commands would have given it (and the one Redis 7.0's loader picks).
/// </summary>
internal sealed record RdbValueLimits(int HashMaxListpackEntries, int HashMaxListpackValue, int SetMaxIntsetEntries,
    int ZsetMaxListpackEntries, int ZsetMaxListpackValue, int ListMaxListpackSize)
{
    /// <summary>Redis 7.0's defaults (what redis-check-rdb uses).</summary>
    public static RdbValueLimits Default { get; } = new(512, 64, 512, 128, 64, -2);

    public static RdbValueLimits From(ServerConfig config) => new(
        Clamp(config.HashMaxListpackEntries), Clamp(config.HashMaxListpackValue), Clamp(config.SetMaxIntsetEntries),
        Clamp(config.ZsetMaxListpackEntries), Clamp(config.ZsetMaxListpackValue), config.ListMaxListpackSize);

    private static int Clamp(long value) => (int)Math.Clamp(value, 0, int.MaxValue);
}

/// <summary>How <see cref="RdbLoader"/> loads a file.</summary>
internal sealed class RdbLoadOptions
{
    public RdbValueLimits Limits { get; init; } = RdbValueLimits.Default;

    /// <summary>The number of databases; a SELECTDB at or above it fails the load, as in Redis.</summary>
    public int Databases { get; init; } = 16;

    /// <summary>
    /// Drop keys whose expiry is already past (a master loading its own RDB). False for replicas and AOF bases, which
    /// keep them for the expiry to be propagated/replayed.
    /// </summary>
    public bool DropExpiredKeys { get; init; } = true;

    /// <summary>The clock expiries are compared with (Unix ms); null reads the system clock once at the start.</summary>
    public long? NowMs { get; init; }

    /// <summary>Verify the CRC64 after the EOF opcode (rdbchecksum). A stored zero always means "not computed".</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>
    /// Skip empty collections with a warning, as redis-server does. When false (redis-check-rdb), they fail the load.
    /// </summary>
    public bool SkipEmptyKeys { get; init; } = true;

    /// <summary>Progress is reported at most once per this many bytes read (Redis's loading-process-events interval).</summary>
    public long ProgressIntervalBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// Insert keys into the target on a second thread while the next ones are read (<see cref="KeyInsertPipeline"/>):
    /// for large loads on more than one core. The target is then called from that thread (never from two at once).
    /// </summary>
    public bool Pipelined { get; init; }

    /// <summary>Receives warnings (skipped functions, module aux data, empty keys, unchecked checksum).</summary>
    public Action<string>? Warning { get; init; }
}
