using Amber.Hosting;
using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Hosting;

/// <summary>amber-server re-executes itself once with the JIT's call-counting delay at 0 (JitTiering).</summary>
public class JitTieringTests
{
    private static string EnvironmentOf(int pid) => File.ReadAllText($"/proc/{pid}/environ").Replace('\0', '\n');

    [SkippableFact]
    public void TheServerRunsWithTheDelayAtZeroSameProcessAndArguments()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the restart is done on Linux only");
        using var dir = new TempDir();
        // An empty argument must survive the restart: "--save ''" turns save points off.
        using var child = ServerProcess.Start(dir.Path, "--save", "", "--maxmemory-policy", "allkeys-lru");
        Assert.Contains(JitTiering.DelayVariable + "=0\n", EnvironmentOf(child.Pid));
        using var c = new RawClient(child.Port);
        Assert.Equal("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", c.Call("CONFIG", "GET", "save"));
        Assert.Equal("*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n", c.Call("CONFIG", "GET", "maxmemory-policy"));
        Assert.Contains($"process_id:{child.Pid}\r\n", c.Call("INFO", "server"));
    }

    [SkippableFact]
    public void AnOperatorsOwnValueWins()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the restart is done on Linux only");
        using var dir = new TempDir();
        using var child = ServerProcess.Start(dir.Path, new Dictionary<string, string> { [JitTiering.DelayVariable] = "50" });
        Assert.Contains(JitTiering.DelayVariable + "=50\n", EnvironmentOf(child.Pid));
        using var c = new RawClient(child.Port);
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }
}
