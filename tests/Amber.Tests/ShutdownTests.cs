using System.Runtime.InteropServices;
using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

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
        using var dir = new TempDir();
        using var child = ServerProcess.Start(dir.Path);
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
        using var dir = new TempDir();
        using var child = ServerProcess.Start(dir.Path);
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
}
