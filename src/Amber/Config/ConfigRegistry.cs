using Amber.Diagnostics;
using Amber.Server;
using static Amber.Config.ConfigFlags;

namespace Amber.Config;

/// <summary>A name CONFIG GET/SET accept: a parameter's own name or its alias (e.g. slave-read-only).</summary>
internal sealed record ConfigEntry(string Name, ConfigParam Param, bool IsAlias);

/// <summary>
/// Every parameter Redis 7.0's CONFIG GET * reports, with Redis's defaults, bounds and mutability. Parameters Amber
/// does not act on are accepted, validated, stored in <see cref="ServerConfig.Other"/> and reported all the same.
/// </summary>
internal static partial class ConfigRegistry
{
    private const long IntMax = int.MaxValue;
    private const long IntMin = int.MinValue;
    private const long UIntMax = uint.MaxValue;
    private const long LongMax = long.MaxValue;

    /// <summary>ULLONG_MAX as the bit pattern an unsigned parameter compares against.</summary>
    private const long ULongLongMax = -1;

    private static readonly List<ConfigParam> s_params = [];
    private static readonly List<ConfigEntry> s_entries = [];
    private static readonly Dictionary<string, ConfigEntry> s_byName = new(StringComparer.OrdinalIgnoreCase);

    static ConfigRegistry()
    {
        AddBools();
        AddStrings();
        AddEnums();
        AddNumbers();
        AddTls();
        AddSpecials();
    }

    /// <summary>Parameters in a stable order (CONFIG REWRITE appends in this order).</summary>
    public static IReadOnlyList<ConfigParam> All => s_params;

    /// <summary>Every accepted name, aliases included (CONFIG GET patterns match these).</summary>
    public static IReadOnlyList<ConfigEntry> Entries => s_entries;

    public static ConfigEntry? Find(string name) => s_byName.GetValueOrDefault(name);

    private static void Add(ConfigParam p)
    {
        s_params.Add(p);
        var entry = new ConfigEntry(p.Name, p, false);
        s_entries.Add(entry);
        s_byName.Add(p.Name, entry);
        if (p.Alias != null)
        {
            var alias = new ConfigEntry(p.Alias, p, true);
            s_entries.Add(alias);
            s_byName.Add(p.Alias, alias);
        }
    }

    private static void Bool(string name, string? alias, ConfigFlags flags, bool def,
        Func<ServerConfig, bool>? get = null, Action<ServerConfig, bool>? set = null, Func<AmberServer, string?>? apply = null)
    {
        get ??= c => c.Other.TryGetValue(name, out object? v) ? (bool)v : def;
        set ??= (c, v) => c.Other[name] = v;
        Add(new BoolParam(name, alias, flags, def, get, set) { Apply = apply });
    }

    private static void Number(string name, string? alias, ConfigFlags flags, NumberFormat format, bool unsigned,
        long min, long max, long def, Func<ServerConfig, long>? get = null, Action<ServerConfig, long>? set = null,
        Func<AmberServer, string?>? apply = null)
    {
        get ??= c => c.Other.TryGetValue(name, out object? v) ? (long)v : def;
        set ??= (c, v) => c.Other[name] = v;
        Add(new NumberParam(name, alias, flags, format, unsigned, min, max, def, get, set) { Apply = apply });
    }

    private static void Int(string name, string? alias, ConfigFlags flags, long min, long max, long def,
        Func<ServerConfig, long>? get = null, Action<ServerConfig, long>? set = null) =>
        Number(name, alias, flags, NumberFormat.Integer, false, min, max, def, get, set);

    private static void UInt(string name, string? alias, ConfigFlags flags, long min, long max, long def,
        Func<ServerConfig, long>? get = null, Action<ServerConfig, long>? set = null, Func<AmberServer, string?>? apply = null) =>
        Number(name, alias, flags, NumberFormat.Integer, true, min, max, def, get, set, apply);

    private static void Enum(string name, string? alias, ConfigFlags flags, (string, int)[] values, int def,
        Func<ServerConfig, int>? get = null, Action<ServerConfig, int>? set = null, Func<int, string?>? validate = null,
        Func<AmberServer, string?>? apply = null)
    {
        get ??= c => c.Other.TryGetValue(name, out object? v) ? (int)v : def;
        set ??= (c, v) => c.Other[name] = v;
        Add(new EnumParam(name, alias, flags, values, def, get, set) { Validate = validate, Apply = apply });
    }

    private static void String(string name, string? alias, ConfigFlags flags, string def, bool emptyIsNull,
        Func<ServerConfig, string>? get = null, Action<ServerConfig, string>? set = null, Func<string, string?>? validate = null)
    {
        get ??= c => c.Other.TryGetValue(name, out object? v) ? (string)v : def;
        set ??= (c, v) => c.Other[name] = v;
        Add(new StringParam(name, alias, flags, def, emptyIsNull, get, set) { Validate = validate });
    }

    private static string? DisableAof(AmberServer server)
    {
        server.Aof.Disable();
        return null;
    }

    private static readonly (string, int)[] s_protectedAction = [("no", 0), ("yes", 1), ("local", 2)];

    private static void AddBools()
    {
        Bool("rdbchecksum", null, Immutable, true, c => c.RdbChecksum, (c, v) => c.RdbChecksum = v);
        Bool("daemonize", null, Immutable, false, c => c.Daemonize, (c, v) => c.Daemonize = v);
        Bool("io-threads-do-reads", null, Immutable, false);
        Bool("always-show-logo", null, Immutable, false);
        Bool("protected-mode", null, None, true, c => c.ProtectedMode, (c, v) => c.ProtectedMode = v);
        Bool("rdbcompression", null, None, true, c => c.RdbCompression, (c, v) => c.RdbCompression = v);
        Bool("rdb-del-sync-files", null, None, false, c => c.RdbDelSyncFiles, (c, v) => c.RdbDelSyncFiles = v);
        Bool("activerehashing", null, None, true, c => c.ActiveRehashing, (c, v) => c.ActiveRehashing = v);
        Bool("stop-writes-on-bgsave-error", null, None, true, c => c.StopWritesOnBgsaveError, (c, v) => c.StopWritesOnBgsaveError = v);
        Bool("set-proc-title", null, Immutable, true);
        Bool("dynamic-hz", null, None, true, c => c.DynamicHz, (c, v) => c.DynamicHz = v);
        Bool("lazyfree-lazy-eviction", null, None, false);
        Bool("lazyfree-lazy-expire", null, None, false, c => c.LazyfreeLazyExpire, (c, v) => c.LazyfreeLazyExpire = v);
        Bool("lazyfree-lazy-server-del", null, None, false);
        Bool("lazyfree-lazy-user-del", null, None, false);
        Bool("lazyfree-lazy-user-flush", null, None, false);
        Bool("repl-disable-tcp-nodelay", null, None, false);
        Bool("repl-diskless-sync", null, None, true);
        Bool("aof-rewrite-incremental-fsync", null, None, true, c => c.AofRewriteIncrementalFsync, (c, v) => c.AofRewriteIncrementalFsync = v);
        Bool("no-appendfsync-on-rewrite", null, None, false, c => c.NoAppendfsyncOnRewrite, (c, v) => c.NoAppendfsyncOnRewrite = v);
        Bool("cluster-require-full-coverage", null, None, true);
        Bool("rdb-save-incremental-fsync", null, None, true, c => c.RdbSaveIncrementalFsync, (c, v) => c.RdbSaveIncrementalFsync = v);
        Bool("aof-load-truncated", null, None, true, c => c.AofLoadTruncated, (c, v) => c.AofLoadTruncated = v);
        Bool("aof-use-rdb-preamble", null, None, true, c => c.AofUseRdbPreamble, (c, v) => c.AofUseRdbPreamble = v);
        Bool("aof-timestamp-enabled", null, None, false, c => c.AofTimestampEnabled, (c, v) => c.AofTimestampEnabled = v);
        Bool("cluster-replica-no-failover", "cluster-slave-no-failover", None, false);
        Bool("replica-lazy-flush", "slave-lazy-flush", None, false);
        Bool("replica-serve-stale-data", "slave-serve-stale-data", None, true);
        Bool("replica-read-only", "slave-read-only", None, true);
        Bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", None, true);
        Bool("jemalloc-bg-thread", null, None, true);
        Bool("activedefrag", null, None, false);
        Bool("syslog-enabled", null, Immutable, false);
        Bool("cluster-enabled", null, Immutable, false);
        Bool("appendonly", null, None, false, c => c.AppendOnly, (c, v) => c.AppendOnly = v,
            apply: s => s.Config.AppendOnly ? s.Aof.Enable() : DisableAof(s));
        Bool("cluster-allow-reads-when-down", null, None, false);
        Bool("cluster-allow-pubsubshard-when-down", null, None, true);
        Bool("crash-log-enabled", null, None, true);
        Bool("crash-memcheck-enabled", null, None, true);
        Bool("use-exit-on-panic", null, Hidden, false);
        Bool("disable-thp", null, Immutable, true);
        Bool("cluster-allow-replica-migration", null, None, true);
        Bool("replica-announced", null, None, true);
        Bool("latency-tracking", null, None, true, c => c.LatencyTracking, (c, v) => c.LatencyTracking = v);
        Bool("aof-disable-auto-gc", null, None, false);
        Bool("replica-ignore-disk-write-errors", null, None, false);
    }

    private static void AddStrings()
    {
        String("aclfile", null, Immutable, "", false);
        String("unixsocket", null, Immutable, "", true);
        String("pidfile", null, Immutable, "", true, c => c.PidFile, (c, v) => c.PidFile = v);
        String("replica-announce-ip", "slave-announce-ip", None, "", true);
        String("masteruser", null, Sensitive, "", true);
        String("cluster-announce-ip", null, None, "", true);
        String("cluster-config-file", null, Immutable, "nodes.conf", false);
        String("cluster-announce-hostname", null, None, "", true, validate: ValidateHostname);
        String("syslog-ident", null, Immutable, "redis", false);
        String("dbfilename", null, Protected, "dump.rdb", false, c => c.DbFilename, (c, v) => c.DbFilename = v,
            v => IsBaseName(v) ? null : "dbfilename can't be a path, just a filename");
        String("appendfilename", null, Immutable, "appendonly.aof", false, c => c.AppendFilename, (c, v) => c.AppendFilename = v,
            v => v.Length == 0 ? "appendfilename can't be empty" : IsBaseName(v) ? null : "appendfilename can't be a path, just a filename");
        String("appenddirname", null, Immutable, "appendonlydir", false, c => c.AppendDirname, (c, v) => c.AppendDirname = v,
            v => v.Length == 0 ? "appenddirname can't be empty" : IsBaseName(v) ? null : "appenddirname can't be a path, just a dirname");
        String("server_cpulist", null, Immutable, "", true);
        String("bio_cpulist", null, Immutable, "", true);
        String("aof_rewrite_cpulist", null, Immutable, "", true);
        String("bgsave_cpulist", null, Immutable, "", true);
        String("ignore-warnings", null, None, "", false);
        String("proc-title-template", null, None, "{title} {listen-addr} {server-mode}", false, validate: ValidateProcTitle);
        String("bind-source-addr", null, None, "", true);
        String("logfile", null, Immutable, "", false, c => c.LogFile, (c, v) => c.LogFile = v);
        String("masterauth", null, Sensitive, "", true);
        String("requirepass", null, Sensitive, "", true, c => c.RequirePass, (c, v) => c.RequirePass = v);
    }

    private static void AddEnums()
    {
        Enum("supervised", null, Immutable, [("upstart", 3), ("systemd", 2), ("auto", 1), ("no", 0)], 0);
        Enum("syslog-facility", null, Immutable,
            [("user", 8), ("local0", 128), ("local1", 136), ("local2", 144), ("local3", 152), ("local4", 160), ("local5", 168), ("local6", 176), ("local7", 184)], 128);
        Enum("repl-diskless-load", null, None, [("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)], 0);
        (string, int)[] levels = [("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
        Enum("loglevel", null, None, levels, 2,
            c => Array.FindIndex(levels, l => l.Item1.Equals(c.LogLevel, StringComparison.OrdinalIgnoreCase)),
            (c, v) => c.LogLevel = levels[v].Item1,
            apply: s =>
            {
                s.Log.Level = ServerLog.ParseLevel(s.Config.LogLevel);
                return null;
            });
        (string, int)[] policies = [("volatile-lru", 0), ("volatile-lfu", 1), ("volatile-random", 2), ("volatile-ttl", 3),
            ("allkeys-lru", 4), ("allkeys-lfu", 5), ("allkeys-random", 6), ("noeviction", 7)];
        Enum("maxmemory-policy", null, None, policies, 7,
            c => Array.FindIndex(policies, p => p.Item1 == c.MaxMemoryPolicy),
            (c, v) => c.MaxMemoryPolicy = policies[v].Item1);
        Enum("appendfsync", null, None, [("everysec", (int)AppendFsyncMode.EverySec), ("always", (int)AppendFsyncMode.Always), ("no", (int)AppendFsyncMode.No)],
            (int)AppendFsyncMode.EverySec, c => (int)c.AppendFsync, (c, v) => c.AppendFsync = (AppendFsyncMode)v);
        Enum("oom-score-adj", null, None, [("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)], 0);
        Enum("acl-pubsub-default", null, None, [("allchannels", 1), ("resetchannels", 0)], 0);
        Enum("sanitize-dump-payload", null, None, [("no", 0), ("yes", 1), ("clients", 2)], 0);
        Enum("enable-protected-configs", null, Immutable, s_protectedAction, 0,
            c => ProtectedActionValue(c.EnableProtectedConfigs), (c, v) => c.EnableProtectedConfigs = s_protectedAction[v].Item1);
        Enum("enable-debug-command", null, Immutable, s_protectedAction, 0,
            c => ProtectedActionValue(c.EnableDebugCommand), (c, v) => c.EnableDebugCommand = s_protectedAction[v].Item1);
        Enum("enable-module-command", null, Immutable, s_protectedAction, 0);
        Enum("cluster-preferred-endpoint-type", null, None, [("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)], 0);
        Enum("propagation-error-behavior", null, None, [("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)], 0);
        (string, int)[] shutdown = [("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];
        Enum("shutdown-on-sigint", null, MultiArg, shutdown, 0, validate: ValidateShutdownFlags);
        Enum("shutdown-on-sigterm", null, MultiArg, shutdown, 0, validate: ValidateShutdownFlags);
    }

    private static void AddNumbers()
    {
        Int("databases", null, Immutable, 1, IntMax, 16, c => c.Databases, (c, v) => c.Databases = (int)v);
        Number("port", null, None, NumberFormat.Integer, false, 0, 65535, 6379, c => c.Port, (c, v) => c.Port = (int)v,
            apply: s => s.TryRebind() ? null : "Unable to listen on this port");
        Int("io-threads", null, Immutable, 1, 128, 1);
        Int("auto-aof-rewrite-percentage", null, None, 0, IntMax, 100, c => c.AutoAofRewritePercentage, (c, v) => c.AutoAofRewritePercentage = (int)v);
        Int("cluster-replica-validity-factor", "cluster-slave-validity-factor", None, 0, IntMax, 10);
        Int("list-max-listpack-size", "list-max-ziplist-size", None, IntMin, IntMax, -2, c => c.ListMaxListpackSize, (c, v) => c.ListMaxListpackSize = (int)v);
        Int("tcp-keepalive", null, None, 0, IntMax, 300, c => c.TcpKeepAliveSeconds, (c, v) => c.TcpKeepAliveSeconds = (int)v);
        Int("cluster-migration-barrier", null, None, 0, IntMax, 1);
        Int("active-defrag-cycle-min", null, None, 1, 99, 1);
        Int("active-defrag-cycle-max", null, None, 1, 99, 25);
        Int("active-defrag-threshold-lower", null, None, 0, 1000, 10);
        Int("active-defrag-threshold-upper", null, None, 0, 1000, 100);
        Int("lfu-log-factor", null, None, 0, IntMax, 10);
        Int("lfu-decay-time", null, None, 0, IntMax, 1);
        Int("replica-priority", "slave-priority", None, 0, IntMax, 100);
        Int("repl-diskless-sync-delay", null, None, 0, IntMax, 5);
        Int("maxmemory-samples", null, None, 1, IntMax, 5);
        Int("maxmemory-eviction-tenacity", null, None, 0, 100, 10);
        Int("timeout", null, None, 0, IntMax, 0, c => c.TimeoutSeconds, (c, v) => c.TimeoutSeconds = (int)v);
        Int("replica-announce-port", "slave-announce-port", None, 0, 65535, 0);
        Int("tcp-backlog", null, Immutable, 0, IntMax, 511, c => c.TcpBacklog, (c, v) => c.TcpBacklog = (int)v);
        Int("cluster-port", null, Immutable, 0, 65535, 0);
        Int("cluster-announce-bus-port", null, None, 0, 65535, 0);
        Int("cluster-announce-port", null, None, 0, 65535, 0);
        Int("cluster-announce-tls-port", null, None, 0, 65535, 0);
        Int("repl-timeout", null, None, 1, IntMax, 60);
        Int("repl-ping-replica-period", "repl-ping-slave-period", None, 1, IntMax, 10);
        Int("list-compress-depth", null, None, 0, IntMax, 0, c => c.ListCompressDepth, (c, v) => c.ListCompressDepth = (int)v);
        Int("rdb-key-save-delay", null, Hidden, IntMin, IntMax, 0);
        Int("key-load-delay", null, Hidden, IntMin, IntMax, 0, c => c.KeyLoadDelay, (c, v) => c.KeyLoadDelay = (int)v);
        Int("active-expire-effort", null, None, 1, 10, 1);
        // Redis clamps hz to 1..500 when it applies the value; CONFIG GET then shows the clamped value.
        Int("hz", null, None, 0, IntMax, 10, c => c.Hz, (c, v) => c.Hz = (int)Math.Clamp(v, 1, 500));
        Int("min-replicas-to-write", "min-slaves-to-write", None, 0, IntMax, 0);
        Int("min-replicas-max-lag", "min-slaves-max-lag", None, 0, IntMax, 10);
        Int("watchdog-period", null, Hidden, 0, IntMax, 0);
        Int("shutdown-timeout", null, None, 0, IntMax, 10);
        Int("repl-diskless-sync-max-replicas", null, None, 0, IntMax, 0);

        UInt("maxclients", null, None, 1, UIntMax, 10000, c => c.MaxClients, (c, v) => c.MaxClients = (int)Math.Min(v, int.MaxValue),
            s => Hosting.OpenFilesLimit.Check(s.Config.MaxClients, s.Log));
        Number("unixsocketperm", null, Immutable, NumberFormat.Octal, true, 0, Convert.ToInt64("777", 8), 0);
        UInt("socket-mark-id", null, Immutable, 0, UIntMax, 0);

        UInt("active-defrag-max-scan-fields", null, None, 1, LongMax, 1000);
        UInt("slowlog-max-len", null, None, 0, LongMax, 128, c => c.SlowlogMaxLen, (c, v) => c.SlowlogMaxLen = (int)Math.Min(v, int.MaxValue));
        UInt("acllog-max-len", null, None, 0, LongMax, 128);

        Int("busy-reply-threshold", "lua-time-limit", None, 0, LongMax, 5000);
        Int("cluster-node-timeout", null, None, 0, LongMax, 15000);
        Int("slowlog-log-slower-than", null, None, -1, LongMax, 10000, c => c.SlowlogLogSlowerThan, (c, v) => c.SlowlogLogSlowerThan = v);
        Int("latency-monitor-threshold", null, None, 0, LongMax, 0, c => c.LatencyMonitorThreshold, (c, v) => c.LatencyMonitorThreshold = v);
        Number("proto-max-bulk-len", null, None, NumberFormat.Memory, false, 1024 * 1024, LongMax, 512L * 1024 * 1024,
            c => c.ProtoMaxBulkLen, (c, v) => c.ProtoMaxBulkLen = v);
        Int("stream-node-max-entries", null, None, 0, LongMax, 100);
        Number("repl-backlog-size", null, None, NumberFormat.Memory, false, 1, LongMax, 1024 * 1024);

        Number("maxmemory", null, None, NumberFormat.Memory, true, 0, ULongLongMax, 0, c => c.MaxMemory, (c, v) => c.MaxMemory = v);
        Number("cluster-link-sendbuf-limit", null, None, NumberFormat.Memory, true, 0, ULongLongMax, 0);

        UInt("hash-max-listpack-entries", "hash-max-ziplist-entries", None, 0, LongMax, 512,
            c => c.HashMaxListpackEntries, (c, v) => c.HashMaxListpackEntries = v);
        UInt("set-max-intset-entries", null, None, 0, LongMax, 512, c => c.SetMaxIntsetEntries, (c, v) => c.SetMaxIntsetEntries = v);
        UInt("zset-max-listpack-entries", "zset-max-ziplist-entries", None, 0, LongMax, 128,
            c => c.ZsetMaxListpackEntries, (c, v) => c.ZsetMaxListpackEntries = v);
        Number("active-defrag-ignore-bytes", null, None, NumberFormat.Memory, true, 1, LongMax, 100L << 20);
        Number("hash-max-listpack-value", "hash-max-ziplist-value", None, NumberFormat.Memory, true, 0, LongMax, 64,
            c => c.HashMaxListpackValue, (c, v) => c.HashMaxListpackValue = v);
        Number("stream-node-max-bytes", null, None, NumberFormat.Memory, true, 0, LongMax, 4096);
        Number("zset-max-listpack-value", "zset-max-ziplist-value", None, NumberFormat.Memory, true, 0, LongMax, 64,
            c => c.ZsetMaxListpackValue, (c, v) => c.ZsetMaxListpackValue = v);
        Number("hll-sparse-max-bytes", null, None, NumberFormat.Memory, true, 0, LongMax, 3000);
        UInt("tracking-table-max-keys", null, None, 0, LongMax, 1000000);
        Number("client-query-buffer-limit", null, None, NumberFormat.Memory, true, 1024 * 1024, LongMax, 1024L * 1024 * 1024,
            c => c.ClientQueryBufferLimit, (c, v) => c.ClientQueryBufferLimit = v);
        Number("maxmemory-clients", null, None, NumberFormat.MemoryOrPercent, false, -100, LongMax, 0);

        Int("repl-backlog-ttl", null, None, 0, LongMax, 3600);
        Number("auto-aof-rewrite-min-size", null, None, NumberFormat.Memory, false, 0, LongMax, 64L * 1024 * 1024,
            c => c.AutoAofRewriteMinSize, (c, v) => c.AutoAofRewriteMinSize = v);
        Int("loading-process-events-interval-bytes", null, Hidden, 1024, IntMax, 2 * 1024 * 1024);
    }

    /// <summary>TLS settings: accepted and reported (Amber has no TLS listener yet).</summary>
    private static void AddTls()
    {
        Int("tls-port", null, None, 0, 65535, 0);
        Int("tls-session-cache-size", null, None, 0, IntMax, 20 * 1024);
        Int("tls-session-cache-timeout", null, None, 0, IntMax, 300);
        Bool("tls-cluster", null, None, false);
        Bool("tls-replication", null, None, false);
        Enum("tls-auth-clients", null, None, [("no", 0), ("yes", 1), ("optional", 2)], 1);
        Bool("tls-prefer-server-ciphers", null, None, false);
        Bool("tls-session-caching", null, None, true);
        foreach (string name in (string[])["tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file", "tls-client-key-file",
            "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-protocols", "tls-ciphers", "tls-ciphersuites"])
        {
            String(name, null, None, "", true);
        }
    }

    private static int ProtectedActionValue(string name) =>
        Array.FindIndex(s_protectedAction, p => p.Item1.Equals(name, StringComparison.OrdinalIgnoreCase)) is int i and >= 0 ? i : 0;

    private static bool IsBaseName(string path) => !path.Contains('/') && !path.Contains('\\');

    private static string? ValidateShutdownFlags(int flags) =>
        (flags & 1) != 0 && (flags & 2) != 0 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;

    private static string? ValidateHostname(string value)
    {
        if (value.Length >= 256)
        {
            return "Hostnames must be less than 256 characters";
        }
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            {
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
            }
        }
        return null;
    }

    private static string? ValidateProcTitle(string value)
    {
        const string Invalid = "template format is invalid or contains unknown variables";
        string[] known = ["{title}", "{listen-addr}", "{server-mode}", "{port}", "{tls-port}", "{unixsocket}", "{config-file}"];
        if (value.Length == 0)
        {
            return Invalid;
        }
        for (int i = value.IndexOf('{'); i >= 0; i = value.IndexOf('{', i + 1))
        {
            int end = value.IndexOf('}', i);
            if (end < 0 || Array.IndexOf(known, value[i..(end + 1)]) < 0)
            {
                return Invalid;
            }
        }
        return null;
    }
}
