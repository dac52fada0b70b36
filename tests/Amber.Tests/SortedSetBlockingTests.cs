using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>
/// BZPOPMIN BZPOPMAX BZMPOP over raw sockets (replies as recorded from redis-server 7.0.15): one client blocks,
/// another adds. Synchronisation is by polling the server's count of blocked clients, never by sleeping.
/// </summary>
public class SortedSetBlockingTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    [Fact]
    public async Task ServesAtOnceWhenDataExists()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Assert.Equal(":3\r\n", c.Call("ZADD", "k", "1", "a", "2", "b", "3", "c"));
        Assert.Equal("*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n", c.Call("BZPOPMIN", "nokey", "k", "0"));
        Assert.Equal("*3\r\n$1\r\nk\r\n$1\r\nc\r\n$1\r\n3\r\n", c.Call("BZPOPMAX", "k", "0"));
        Assert.Equal("*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", c.Call("BZMPOP", "0", "2", "nokey", "k", "MAX", "COUNT", "5"));
        Assert.Equal(":0\r\n", c.Call("ZCARD", "k"));
        Assert.Equal("+OK\r\n", c.Call("SET", "s", "x"));
        Assert.Equal(WrongType, c.Call("BZPOPMIN", "s", "k", "0"));
        Assert.Equal(WrongType, c.Call("BZMPOP", "0", "1", "s", "MIN"));
    }

    [Fact]
    public async Task ArgumentErrors()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BZPOPMIN", "k", "x"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BZPOPMIN", "k", "-1"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BZMPOP", "x", "1", "k", "MIN"));
        Assert.Equal("-ERR numkeys should be greater than 0\r\n", c.Call("BZMPOP", "0", "0", "k", "MIN"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("BZMPOP", "0", "1", "k", "FOO"));
        Assert.Equal("-ERR count should be greater than 0\r\n", c.Call("BZMPOP", "0", "1", "k", "MIN", "COUNT", "0"));
        Assert.Equal("-ERR wrong number of arguments for 'bzpopmin' command\r\n", c.Call("BZPOPMIN", "k"));
        Assert.Equal("-ERR wrong number of arguments for 'bzmpop' command\r\n", c.Call("BZMPOP", "0", "1", "k"));
    }

    [Fact]
    public async Task TimeoutRepliesNullArray()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Assert.Equal("*-1\r\n", c.Call("BZPOPMAX", "k", "0.05"));
        Assert.Equal("*-1\r\n", c.Call("BZMPOP", "0.05", "1", "k", "MIN"));
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
    }

    [Fact]
    public async Task AddFromAnotherClientWakesTheWaiter()
    {
        await using var server = TestServer.Start();
        using RawClient waiter = server.Raw();
        using RawClient adder = server.Raw();
        waiter.SendCommand("BZPOPMIN", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":2\r\n", adder.Call("ZADD", "k", "2", "b", "1", "a"));
        Assert.Equal("*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n", waiter.ReadReply());
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\n2\r\n", adder.Call("ZRANGE", "k", "0", "-1", "WITHSCORES"));

        waiter.SendCommand("BZMPOP", "0", "2", "k2", "k3", "MAX", "COUNT", "2");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":3\r\n", adder.Call("ZADD", "k3", "1", "x", "2", "y", "3", "z"));
        Assert.Equal("*2\r\n$2\r\nk3\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n", waiter.ReadReply());
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
    }

    [Fact]
    public async Task StoreCommandsWakeWaitersAndEmptiedKeysDisappear()
    {
        await using var server = TestServer.Start();
        using RawClient waiter = server.Raw();
        using RawClient other = server.Raw();
        waiter.SendCommand("BZPOPMAX", "dst", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", other.Call("ZADD", "src", "7", "m"));
        Assert.Equal(":1\r\n", other.Call("ZUNIONSTORE", "dst", "1", "src"));
        Assert.Equal("*3\r\n$3\r\ndst\r\n$1\r\nm\r\n$1\r\n7\r\n", waiter.ReadReply());
        Assert.Equal(":0\r\n", other.Call("ZCARD", "dst"));
    }

    [Fact]
    public async Task Resp3RepliesUseDoublesAndNull()
    {
        await using var server = TestServer.Start();
        using RawClient waiter = server.Raw();
        using RawClient adder = server.Raw();
        Assert.StartsWith("%", waiter.Call("HELLO", "3"));
        Assert.Equal("_\r\n", waiter.Call("BZPOPMIN", "k", "0.01"));
        waiter.SendCommand("BZPOPMIN", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", adder.Call("ZADD", "k", "1.5", "a"));
        Assert.Equal("*3\r\n$1\r\nk\r\n$1\r\na\r\n,1.5\r\n", waiter.ReadReply());
    }
}
