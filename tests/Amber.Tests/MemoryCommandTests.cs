using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>MEMORY PURGE and HELP, with Redis 7.0's replies and errors.</summary>
public class MemoryCommandTests
{
    [Fact]
    public async Task PurgeRepliesOkAndKeepsTheData()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        for (int i = 0; i < 100; i++)
        {
            c.Call("SADD", "s", i.ToString());
        }
        Assert.Equal("+OK\r\n", c.Call("MEMORY", "PURGE"));
        Assert.Equal(":100\r\n", c.Call("SCARD", "s"));
        Assert.Equal(":1\r\n", c.Call("SISMEMBER", "s", "99"));
    }

    [Fact]
    public async Task ErrorsMatchRedis()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR wrong number of arguments for 'memory' command\r\n", c.Call("MEMORY"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n", c.Call("MEMORY", "foo"));
        Assert.Equal("-ERR wrong number of arguments for 'memory|purge' command\r\n", c.Call("MEMORY", "PURGE", "x"));
    }

    [Fact]
    public async Task HelpListsTheSubcommands()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string reply = c.Call("MEMORY", "HELP");
        Assert.StartsWith("*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n", reply);
        Assert.Contains("+PURGE\r\n", reply);
        Assert.EndsWith("+HELP\r\n+    Prints this help.\r\n", reply);
    }
}
