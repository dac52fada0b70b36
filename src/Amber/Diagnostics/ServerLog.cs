using System.Globalization;

namespace Amber.Diagnostics;

internal enum LogLevel
{
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
    Nothing = 4,
}

/// <summary>
/// Log lines in redis-server's format: "pid:role dd Mon yyyy HH:mm:ss.fff &lt;level-char&gt; message",
/// to stdout or to the logfile, filtered by loglevel.
/// </summary>
internal sealed class ServerLog : IDisposable
{
    private readonly object _gate = new();
    private readonly int _pid = Environment.ProcessId;
    private TextWriter _out;
    private bool _ownsWriter;

    public ServerLog(TextWriter? output = null)
    {
        _out = output ?? Console.Out;
    }

    public LogLevel Level { get; set; } = LogLevel.Notice;

    /// <summary>Role character: M master, S replica, C child, X sentinel.</summary>
    public char Role { get; set; } = 'M';

    public static LogLevel ParseLevel(string name) => name.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "verbose" => LogLevel.Verbose,
        "notice" => LogLevel.Notice,
        "warning" => LogLevel.Warning,
        "nothing" => LogLevel.Nothing,
        _ => throw new ArgumentException("Invalid log level", nameof(name)),
    };

    public void OpenFile(string path)
    {
        lock (_gate)
        {
            var writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            if (_ownsWriter)
            {
                _out.Dispose();
            }
            _out = writer;
            _ownsWriter = true;
        }
    }

    public void Debug(string message) => Write(LogLevel.Debug, message);
    public void Verbose(string message) => Write(LogLevel.Verbose, message);
    public void Notice(string message) => Write(LogLevel.Notice, message);
    public void Warning(string message) => Write(LogLevel.Warning, message);

    public void Write(LogLevel level, string message)
    {
        if (level < Level || Level == LogLevel.Nothing)
        {
            return;
        }
        char mark = level switch
        {
            LogLevel.Debug => '.',
            LogLevel.Verbose => '-',
            LogLevel.Notice => '*',
            _ => '#',
        };
        string stamp = DateTime.Now.ToString("dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _out.WriteLine($"{_pid}:{Role} {stamp} {mark} {message}");
            _out.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_ownsWriter)
            {
                _out.Dispose();
                _ownsWriter = false;
            }
        }
    }
}
