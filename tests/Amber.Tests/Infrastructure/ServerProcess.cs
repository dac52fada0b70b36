using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Amber.Tests.Infrastructure;

/// <summary>
/// The real amber-server executable (amber-server.dll, copied next to the tests by the project reference) run with
/// `dotnet` as a child process on a free port in a given directory, for crash tests: it can be killed with SIGKILL
/// (<see cref="KillHard"/>) and started again on the same directory.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the server logged so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server in <paramref name="dir"/> and waits until it accepts connections (fails the test otherwise).</summary>
    public static ServerProcess Start(string dir, params string[] args) => Start(dir, null, args);

    /// <summary>As <see cref="Start(string, string[])"/>, with extra environment variables for the server.</summary>
    public static ServerProcess Start(string dir, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        WaitReady(Launch(dir, args, environment));

    /// <summary>
    /// Starts the server and waits only until its port accepts connections: the dataset may still be loading
    /// (clients get -LOADING).
    /// </summary>
    public static ServerProcess StartListening(string dir, params string[] args)
    {
        ServerProcess server = Launch(dir, args);
        bool listening = server.WaitUntil(() =>
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Connect(IPAddress.Loopback, server.Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (!listening)
        {
            string output = server.Output;
            server.Dispose();
            Assert.Fail("amber-server did not listen:\n" + output);
        }
        return server;
    }

    /// <summary>
    /// As <see cref="Start(string, string[])"/>, under an open-files limit (soft and hard) of <paramref name="limit"/>,
    /// set by <paramref name="prlimit"/> (util-linux's prlimit).
    /// </summary>
    public static ServerProcess StartWithOpenFilesLimit(string dir, string prlimit, int limit, params string[] args) =>
        WaitReady(Launch(dir, args, launcher: [prlimit, $"--nofile={limit}:{limit}", "--"]));

    // Waits until the server accepts connections; fails the test otherwise.
    private static ServerProcess WaitReady(ServerProcess server)
    {
        if (!server.WaitUntil(() => server.Output.Contains("Ready to accept connections"), TimeSpan.FromSeconds(60)) || server.HasExited)
        {
            string output = server.Output;
            server.Dispose();
            Assert.Fail("amber-server did not get ready:\n" + output);
        }
        return server;
    }

    /// <summary>Starts the server expecting startup to fail; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) StartExpectingExit(string dir, params string[] args)
    {
        using ServerProcess server = Launch(dir, args);
        if (!server._process.WaitForExit(60_000))
        {
            Assert.Fail("amber-server did not exit:\n" + server.Output);
        }
        server._process.WaitForExit(); // drains the redirected output
        return (server._process.ExitCode, server.Output);
    }

    private static ServerProcess Launch(string dir, string[] args, IReadOnlyDictionary<string, string>? environment = null, string[]? launcher = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "amber-server.dll");
        Assert.True(File.Exists(dll), $"missing {dll}");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        int port = FreePort();
        var psi = new ProcessStartInfo(launcher?[0] ?? dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        if (launcher != null)
        {
            foreach (string a in launcher[1..])
            {
                psi.ArgumentList.Add(a);
            }
            psi.ArgumentList.Add(dotnet);
        }
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add(port.ToString());
        psi.ArgumentList.Add("--bind");
        psi.ArgumentList.Add("127.0.0.1");
        psi.ArgumentList.Add("--dir");
        psi.ArgumentList.Add(dir);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        var process = new Process { StartInfo = psi };
        var server = new ServerProcess(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits for the server to exit by itself (SHUTDOWN, SIGTERM) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("amber-server did not exit:\n" + Output);
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL (Process.Kill on Unix): no shutdown code runs, nothing buffered in the process survives.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the server exits.</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout) =>
        SpinWait.SpinUntil(() => condition() || _process.HasExited, timeout) && condition();

    private void Append(string? line)
    {
        if (line == null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
