using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// A real redis-server child process with its own temp directory (or a given one) and persistence settings,
/// for tests that exchange RDB files and DUMP payloads with Redis. Skips when redis-server is not installed.
/// </summary>
public sealed class RedisProcess : IDisposable
{
    private readonly Process _process;
    private readonly bool _ownsDir;
    private readonly List<string> _log = [];

    private RedisProcess(Process process, int port, string dir, bool ownsDir)
    {
        _process = process;
        Port = port;
        Dir = dir;
        _ownsDir = ownsDir;
    }

    public int Port { get; }
    public string Dir { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Log lines so far (warnings and above unless <c>--loglevel</c> is overridden).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>Starts redis-server in <paramref name="dir"/> (a fresh temp dir when null) with extra arguments.</summary>
    public static RedisProcess Start(string? dir = null, string extraArgs = "")
    {
        string tool = Interop.RequireTool("redis-server");
        bool ownsDir = dir == null;
        dir ??= Directory.CreateTempSubdirectory("amber-redis-").FullName;
        int port = FreePort();
        var psi = new ProcessStartInfo(tool,
            $"--port {port} --bind 127.0.0.1 --dir {dir} --save \"\" --appendonly no --daemonize no --loglevel warning --enable-debug-command yes {extraArgs}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi)!;
        var redis = new RedisProcess(process, port, dir, ownsDir);
        process.OutputDataReceived += (_, e) => redis.AddLog(e.Data);
        process.ErrorDataReceived += (_, e) => redis.AddLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
            try
            {
                using var probe = new BinaryRespClient(port);
                if (probe.Call("PING") is "PONG")
                {
                    return redis;
                }
            }
            catch (Exception e) when (e is SocketException or EndOfStreamException or InvalidOperationException)
            {
                if (process.HasExited || Environment.TickCount64 > deadline)
                {
                    string log = redis.Log;
                    redis.Dispose();
                    throw new InvalidOperationException("redis-server did not start:\n" + log);
                }
                Thread.Sleep(20);
            }
        }
    }

    private void AddLog(string? line)
    {
        if (line != null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public BinaryRespClient Connect() => new(Port);

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        if (_ownsDir)
        {
            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
