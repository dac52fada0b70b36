using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli against Amber's hashes and sets, in RESP2 and RESP3 (maps and sets rendered by the tool).</summary>
public class HashSetInteropTests
{
    [SkippableFact]
    public async Task RedisCliRendersHashesAndSetsAsAgainstRedis()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        string Run(string args) => Interop.Run(cli, $"-p {server.Port} {args}").Output;
        Assert.Equal("2\n", Run("hset h a 1 b 2"));
        Assert.Equal("3\n", Run("sadd s 3 1 2"));
        // Expected texts are what redis-cli prints against redis-server 7.0.15.
        Assert.Equal("1) \"a\"\n2) \"1\"\n3) \"b\"\n4) \"2\"\n", Run("--no-raw hgetall h"));
        Assert.Equal("1# \"a\" => \"1\"\n2# \"b\" => \"2\"\n", Run("--no-raw -3 hgetall h"));
        Assert.Equal("1~ \"1\"\n2~ \"2\"\n3~ \"3\"\n", Run("--no-raw -3 smembers s"));
        Assert.Equal("1\n2\n3\n", Run("smembers s"));
        Assert.Equal("(error) WRONGTYPE Operation against a key holding the wrong kind of value\n", Run("--no-raw sadd h x"));
    }
}
