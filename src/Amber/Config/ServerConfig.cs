using Amber.Notifications;
namespace Amber.Config;

/// <summary>
/// The server's live settings as typed values. Parsing (redis.conf, command line, CONFIG SET) and validation
/// live in <see cref="ConfigRegistry"/>; the rest of the server reads only this object.
/// </summary>
internal sealed class ServerConfig
{
    public string[] Bind { get; set; } = ["127.0.0.1", "-::1"];
    public int Port { get; set; } = 6379;
    public string Dir { get; set; } = Directory.GetCurrentDirectory();
    public int Databases { get; set; } = 16;
    public int Hz { get; set; } = 10;
    public bool DynamicHz { get; set; } = true;
    public int MaxClients { get; set; } = 10000;
    public int TimeoutSeconds { get; set; }
    public int TcpKeepAliveSeconds { get; set; } = 300;
    public int TcpBacklog { get; set; } = 511;
    public long ProtoMaxBulkLen { get; set; } = 512L * 1024 * 1024;
    public long ClientQueryBufferLimit { get; set; } = 1024L * 1024 * 1024;
    public string RequirePass { get; set; } = "";
    public string LogLevel { get; set; } = "notice";
    public string LogFile { get; set; } = "";
    public string PidFile { get; set; } = "";
    public bool Daemonize { get; set; }
    public bool ActiveRehashing { get; set; } = true;
    public bool ProtectedMode { get; set; } = true;
    public string EnableDebugCommand { get; set; } = "no";
    public long SlowlogLogSlowerThan { get; set; } = 10000;
    public int SlowlogMaxLen { get; set; } = 128;
    public long LatencyMonitorThreshold { get; set; }
    public bool LatencyTracking { get; set; } = true;
    public double[] LatencyTrackingInfoPercentiles { get; set; } = [50, 99, 99.9];
    public long MaxMemory { get; set; }

    /// <summary>lazyfree-lazy-expire: keys deleted by expiry are propagated as UNLINK instead of DEL.</summary>
    public bool LazyfreeLazyExpire { get; set; }
    public string MaxMemoryPolicy { get; set; } = "noeviction";
    public string DbFilename { get; set; } = "dump.rdb";
    public long HashMaxListpackEntries { get; set; } = 512;
    public long HashMaxListpackValue { get; set; } = 64;
    public long SetMaxIntsetEntries { get; set; } = 512;

    /// <summary>list-max-listpack-size: per quicklist node, negative = size class (-1..-5 = 4..64 KB), positive = elements.</summary>
    public int ListMaxListpackSize { get; set; } = -2;

    /// <summary>list-compress-depth: nodes at each end left uncompressed (0 = no compression; accepted, not applied).</summary>
    public int ListCompressDepth { get; set; }

    /// <summary>Sorted sets stay in the compact (listpack) encoding up to this many elements ...</summary>
    public long ZsetMaxListpackEntries { get; set; } = 128;

    /// <summary>... and while every member is at most this many bytes.</summary>
    public long ZsetMaxListpackValue { get; set; } = 64;

    /// <summary>The configuration file the server was started with (CONFIG REWRITE target), if any.</summary>
    public string? ConfigFile { get; set; }

    // Persistence settings: parsed, validated and returned by CONFIG GET now; acted on by the RDB and AOF code.

    /// <summary>RDB save points ("save" lines); empty means no automatic saves.</summary>
    public List<SavePoint> Save { get; set; } = [new(3600, 1), new(300, 100), new(60, 10000)];
    public bool AppendOnly { get; set; }
    public AppendFsyncMode AppendFsync { get; set; } = AppendFsyncMode.EverySec;
    public string AppendFilename { get; set; } = "appendonly.aof";
    public string AppendDirname { get; set; } = "appendonlydir";
    public bool RdbCompression { get; set; } = true;
    public bool RdbChecksum { get; set; } = true;
    public bool RdbDelSyncFiles { get; set; }
    public bool RdbSaveIncrementalFsync { get; set; } = true;
    public bool StopWritesOnBgsaveError { get; set; } = true;
    public bool AofUseRdbPreamble { get; set; } = true;
    public bool AofLoadTruncated { get; set; } = true;
    public bool AofTimestampEnabled { get; set; }

    /// <summary>key-load-delay (Redis's test hook): microseconds of delay per command replayed from the AOF.</summary>
    public int KeyLoadDelay { get; set; }
    public bool AofRewriteIncrementalFsync { get; set; } = true;
    public bool NoAppendfsyncOnRewrite { get; set; }
    public int AutoAofRewritePercentage { get; set; } = 100;
    public long AutoAofRewriteMinSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>notify-keyspace-events as flags.</summary>
    public NotifyFlags NotifyKeyspaceEvents { get; set; }

    /// <summary>client-output-buffer-limit per class: [0] normal, [1] replica, [2] pubsub.</summary>
    public ClientOutputBufferLimit[] ClientOutputBufferLimits { get; set; } = ClientOutputBufferLimit.Defaults();

    /// <summary>enable-protected-configs: "no", "yes" or "local"; gates CONFIG SET of dir and dbfilename.</summary>
    public string EnableProtectedConfigs { get; set; } = "no";

    /// <summary>
    /// True for the amber-server process: setting dir also changes the process's working directory, as Redis does.
    /// Off for in-process test servers, which share one process.
    /// </summary>
    public bool ChangeProcessDirectory { get; set; }

    /// <summary>Settings Amber accepts and reports but does not act on, by parameter name (see ConfigRegistry).</summary>
    public Dictionary<string, object> Other { get; } = new(StringComparer.Ordinal);
}
