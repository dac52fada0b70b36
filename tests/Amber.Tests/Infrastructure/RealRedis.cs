using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Amber.Tests.Infrastructure;

/// <summary>
/// Debian's redis-server as a child process on a free loopback port, without persistence, for tests that
/// compare Amber's replies with the real thing. Skips (or fails under AMBER_REQUIRE_INTEROP=1) when not installed.
/// </summary>
public sealed class RealRedis : IDisposable
{
    private readonly Process _process;

    private RealRedis(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static RealRedis Start() => Start("");

    /// <summary>Starts with further command-line settings, which override the defaults (e.g. "--appendonly yes --dir /tmp/x").</summary>
    public static RealRedis Start(string extraArguments)
    {
        string tool = Interop.RequireTool("redis-server");
        int port = FreePort();
        var psi = new ProcessStartInfo(tool, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --daemonize no --loglevel warning {extraArguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RealRedis(process, port);
        long deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            try
            {
                using var probe = new RawClient(port);
                if (probe.Call("PING") == "+PONG\r\n")
                {
                    return redis;
                }
            }
            catch (SocketException) when (Environment.TickCount64 < deadline && !process.HasExited)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public RawClient Connect() => new(Port);

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
    }
}
