using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>SHUTDOWN and SIGTERM against amber-server running as a child process, plus SHUTDOWN's argument errors.</summary>
public class ShutdownTests
{
    [Theory]
    [InlineData(new[] { "foo" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "ABORT" }, "-ERR No shutdown in progress.\r\n")]
    [InlineData(new[] { "ABORT", "NOW" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "NOSAVE", "ABORT" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "SAVE", "NOSAVE" }, "-ERR syntax error\r\n")]
    public async Task ShutdownArgumentErrors(string[] args, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(expected, c.Call(["SHUTDOWN", .. args]));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Fact]
    public async Task ShutdownInProcessStopsTheServerWithoutReplying()
    {
        await using var server = TestServer.Start();
        using var other = server.Raw();
        Assert.Equal("+PONG\r\n", other.Call("PING"));
        using var c = server.Raw();
        c.Send("SHUTDOWN NOSAVE NOW FORCE\r\nSET after shutdown\r\n");
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.True(other.WaitForClose(TimeSpan.FromSeconds(5)));
        await server.Server.Stopped.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(server.Server.Databases[0].Find("after"u8, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task ChildServerExitsZeroOnShutdownCommand()
    {
        using var child = ChildServer.Start();
        using (var c = new RawClient(child.Port))
        {
            Assert.Equal("+PONG\r\n", c.Call("PING"));
            c.Send("SHUTDOWN\r\n");
            Assert.True(c.WaitForClose(TimeSpan.FromSeconds(10)));
        }
        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("User requested shutdown", child.Output);
    }

    [SkippableFact]
    public async Task ChildServerExitsZeroOnSigterm()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "needs POSIX signals");
        using var child = ChildServer.Start();
        using (var c = new RawClient(child.Port))
        {
            Assert.Equal("+PONG\r\n", c.Call("PING"));
        }
        Assert.Equal(0, Kill(child.Pid, 15));
        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("Received SIGTERM", child.Output);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>amber-server.dll (built next to this test assembly) run with `dotnet` on a free port.</summary>
    private sealed class ChildServer : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private ChildServer(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }
        public int Pid => _process.Id;

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

        public static ChildServer Start()
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "amber-server.dll");
            Assert.True(File.Exists(dll), $"missing {dll}");
            int port = FreePort();
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            psi.ArgumentList.Add(dll);
            psi.ArgumentList.Add("--port");
            psi.ArgumentList.Add(port.ToString());
            var process = new Process { StartInfo = psi };
            var child = new ChildServer(process, port);
            process.OutputDataReceived += (_, e) => child.Append(e.Data);
            process.ErrorDataReceived += (_, e) => child.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!SpinWait.SpinUntil(() => child.Output.Contains("Ready to accept connections") || process.HasExited, TimeSpan.FromSeconds(30)) ||
                process.HasExited)
            {
                child.Dispose();
                Assert.Fail("amber-server did not get ready:\n" + child.Output);
            }
            return child;
        }

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
}
