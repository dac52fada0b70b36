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
    public long MaxMemory { get; set; }
    public string MaxMemoryPolicy { get; set; } = "noeviction";
    public string DbFilename { get; set; } = "dump.rdb";

    /// <summary>The configuration file the server was started with (CONFIG REWRITE target), if any.</summary>
    public string? ConfigFile { get; set; }
}
