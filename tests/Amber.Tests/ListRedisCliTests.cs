using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli against Amber's list commands, including a blocking pop.</summary>
public class ListRedisCliTests
{
    [SkippableFact]
    public async Task PushRangeAndBlockingPop()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        Assert.Equal("3", Interop.Run(cli, $"-p {server.Port} rpush l a b c").Output.Trim());
        Assert.Equal("a\nb\nc", Interop.Run(cli, $"-p {server.Port} lrange l 0 -1").Output.Trim());
        Assert.Equal("l\na", Interop.Run(cli, $"-p {server.Port} blpop l 0").Output.Trim());
        // A timed-out BLPOP is a null array, which redis-cli prints as an empty line when not on a terminal.
        Assert.Equal("", Interop.Run(cli, $"-p {server.Port} blpop nokey 0.05").Output.Trim());

        var waiter = Task.Run(() => Interop.Run(cli, $"-p {server.Port} brpop q 10"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (server.Server.Blocking.BlockedCount == 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
            await Task.Delay(5);
        }
        Assert.Equal("1", Interop.Run(cli, $"-p {server.Port} lpush q item").Output.Trim());
        Assert.Equal("q\nitem", (await waiter).Output.Trim());
    }
}
