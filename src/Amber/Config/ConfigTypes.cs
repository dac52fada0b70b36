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

