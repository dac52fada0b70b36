namespace Amber.Config;

/// <summary>One "save &lt;seconds&gt; &lt;changes&gt;" point: save when at least Changes writes happened in Seconds.</summary>
internal readonly record struct SavePoint(long Seconds, int Changes);

/// <summary>appendfsync.</summary>
internal enum AppendFsyncMode
{
    Always = 0,
    EverySec = 1,
    No = 2,
}

/// <summary>Hard limit, soft limit and soft-limit seconds for one client class; 0 means no limit.</summary>
internal readonly record struct ClientOutputBufferLimit(long HardBytes, long SoftBytes, long SoftSeconds)
{
    public static ClientOutputBufferLimit[] Defaults() =>
    [
        new(0, 0, 0),
        new(256L * 1024 * 1024, 64L * 1024 * 1024, 60),
        new(32L * 1024 * 1024, 8L * 1024 * 1024, 60),
    ];
}

/// <summary>notify-keyspace-events classes, with Redis's letters.</summary>
[Flags]
internal enum KeyspaceEventFlags
{
    None = 0,
    Keyspace = 1 << 0,  // K
    Keyevent = 1 << 1,  // E
    Generic = 1 << 2,   // g
    String = 1 << 3,    // $
    List = 1 << 4,      // l
    Set = 1 << 5,       // s
    Hash = 1 << 6,      // h
    ZSet = 1 << 7,      // z
    Expired = 1 << 8,   // x
    Evicted = 1 << 9,   // e
    Stream = 1 << 10,   // t
    KeyMiss = 1 << 11,  // m
    Module = 1 << 12,   // d
    New = 1 << 13,      // n

    /// <summary>"A": every class except key misses and new keys.</summary>
    All = Generic | String | List | Set | Hash | ZSet | Expired | Evicted | Stream | Module,
}
