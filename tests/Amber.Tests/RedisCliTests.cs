using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli against Amber.</summary>
public class RedisCliTests
{
    [SkippableFact]
    public async Task RedisCliSetGetPing()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        Assert.Equal("PONG", Interop.Run(cli, $"-p {server.Port} ping").Output.Trim());
        Assert.Equal("OK", Interop.Run(cli, $"-p {server.Port} set greeting hello").Output.Trim());
        Assert.Equal("hello", Interop.Run(cli, $"-p {server.Port} get greeting").Output.Trim());
    }
}
