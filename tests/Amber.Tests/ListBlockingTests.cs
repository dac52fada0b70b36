using System.Diagnostics;
using Amber.Server;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>
/// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP and CLIENT UNBLOCK over raw sockets: one client blocks, another pushes.
/// Synchronisation is by polling the server's count of blocked clients, never by sleeping.
/// </summary>
public class ListBlockingTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    private static long ClientId(RawClient client) => long.Parse(client.Call("CLIENT", "ID")[1..^2]);

    private static ClientSession Session(TestServer server, RawClient client) => server.Server.Clients.Find(ClientId(client))!;

    private static long Calls(TestServer server, string command) => server.Server.Commands.Find(command)!.Calls;

    [Fact]
    public async Task ServesAtOnceWhenDataExists()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("SET", "s", "x"));
        Assert.Equal(":3\r\n", c.Call("RPUSH", "l", "a", "b", "c"));
        Assert.Equal("*2\r\n$1\r\nl\r\n$1\r\na\r\n", c.Call("BLPOP", "nokey", "l", "0"));
        Assert.Equal("*2\r\n$1\r\nl\r\n$1\r\nc\r\n", c.Call("BRPOP", "l", "s", "0"));
        Assert.Equal(WrongType, c.Call("BLPOP", "s", "l", "0"));
        Assert.Equal("$1\r\nb\r\n", c.Call("BRPOPLPUSH", "l", "d", "0"));
        Assert.Equal("$1\r\nb\r\n", c.Call("BLMOVE", "d", "d2", "LEFT", "RIGHT", "0"));
        Assert.Equal(":0\r\n", c.Call("LLEN", "d"));
        Assert.Equal(":2\r\n", c.Call("RPUSH", "m", "1", "2"));
        Assert.Equal("*2\r\n$1\r\nm\r\n*2\r\n$1\r\n2\r\n$1\r\n1\r\n", c.Call("BLMPOP", "0", "2", "nokey", "m", "RIGHT", "COUNT", "5"));
        Assert.Equal(WrongType, c.Call("BLMOVE", "s", "d", "left", "left", "0"));
        Assert.Equal(WrongType, c.Call("BLMPOP", "0", "1", "s", "left"));
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
    }

    [Fact]
    public async Task ArgumentErrors()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BLPOP", "l", "x"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BLPOP", "l", "nan"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BLPOP", "l", " 1"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BLPOP", "l", "-1"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BRPOP", "l", "inf"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BRPOP", "l", "9223372036854775807"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BRPOP", "l", "1e400"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BRPOP", "l", "1e5000"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BRPOP", "l", "9223372036854775.808"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BLMOVE", "l", "d", "left", "left", "x"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("BLMOVE", "l", "d", "left", "middle", "x"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("BRPOPLPUSH", "l", "d", "-2"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", c.Call("BLMPOP", "x", "1", "l", "left"));
        Assert.Equal("-ERR numkeys should be greater than 0\r\n", c.Call("BLMPOP", "0", "0", "l", "left"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("BLMPOP", "x", "1", "l", "middle"));
        Assert.Equal("-ERR count should be greater than 0\r\n", c.Call("BLMPOP", "0", "1", "l", "left", "count", "0"));
        Assert.Equal("-ERR wrong number of arguments for 'blpop' command\r\n", c.Call("BLPOP", "l"));
        Assert.Equal("-ERR wrong number of arguments for 'blmpop' command\r\n", c.Call("BLMPOP", "0", "1", "l"));
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
    }

    [Fact]
    public async Task PushFromAnotherClientWakesTheWaiter()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        // Requests pipelined around the blocking one: the first is answered at once, the last after the wake-up.
        waiter.Send("*1\r\n$4\r\nPING\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*2\r\n$4\r\nECHO\r\n$5\r\nafter\r\n");
        Assert.Equal("+PONG\r\n", waiter.ReadReply());
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(0, Calls(server, "blpop"));
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "k", "x", "y"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nx\r\n", waiter.ReadReply());
        Assert.Equal("$5\r\nafter\r\n", waiter.ReadReply());
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
        Assert.Equal(1, Calls(server, "blpop"));
        Assert.Equal("*1\r\n$1\r\ny\r\n", pusher.Call("LRANGE", "k", "0", "-1"));
    }

    [Fact]
    public async Task WaiterIsServedBeforeTheNextCommandOfThePusher()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        waiter.SendCommand("BRPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        // The pop happens right after RPUSH completes, so the pipelined LPOP finds nothing.
        pusher.Send("*3\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$4\r\nLPOP\r\n$1\r\nk\r\n");
        Assert.Equal(":1\r\n", pusher.ReadReply());
        Assert.Equal("$-1\r\n", pusher.ReadReply());
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task FirstBlockedFirstServed()
    {
        await using var server = TestServer.Start();
        using var first = server.Raw();
        using var second = server.Raw();
        using var pusher = server.Raw();
        first.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        second.SendCommand("BLPOP", "other", "k", "0");
        await server.WaitForBlockedClientsAsync(2);
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "1"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\n1\r\n", first.ReadReply());
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "2"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\n2\r\n", second.ReadReply());
        await server.WaitForBlockedClientsAsync(0);
    }

    [Fact]
    public async Task OnePushOfSeveralElementsServesSeveralWaiters()
    {
        await using var server = TestServer.Start();
        using var a = server.Raw();
        using var b = server.Raw();
        using var pusher = server.Raw();
        a.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        b.SendCommand("BRPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(2);
        Assert.Equal(":3\r\n", pusher.Call("RPUSH", "k", "1", "2", "3"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\n1\r\n", a.ReadReply());
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\n3\r\n", b.ReadReply());
        Assert.Equal("*1\r\n$1\r\n2\r\n", pusher.Call("LRANGE", "k", "0", "-1"));
    }

    [Fact]
    public async Task TimeoutRepliesWithNullArray()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        var watch = Stopwatch.StartNew();
        Assert.Equal("*-1\r\n", c.Call("BLPOP", "k", "0.1"));
        Assert.InRange(watch.ElapsedMilliseconds, 90, 5000);
        Assert.Equal("*-1\r\n", c.Call("BRPOPLPUSH", "k", "d", "0.05"));
        Assert.Equal("*-1\r\n", c.Call("BLMOVE", "k", "d", "left", "right", "0.05"));
        Assert.Equal("*-1\r\n", c.Call("BLMPOP", "0.05", "1", "k", "left", "count", "2"));
        Assert.Equal(1, Calls(server, "blpop"));
        Assert.Equal(1, Calls(server, "blmpop"));
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
        Assert.Equal(0, server.Server.Blocking.KeyCount);
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Fact]
    public async Task ServedBeforeItsTimeout()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        waiter.SendCommand("BLPOP", "k", "30");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", pusher.Call("LPUSH", "k", "v"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", waiter.ReadReply());
        Assert.Equal("+PONG\r\n", waiter.Call("PING"));
    }

    [Fact]
    public async Task DisconnectedWaiterStopsWaiting()
    {
        await using var server = TestServer.Start();
        using var pusher = server.Raw();
        var waiter = server.Raw();
        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        waiter.Dispose();
        await server.WaitForBlockedClientsAsync(0);
        Assert.Equal(0, server.Server.Blocking.KeyCount);
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "kept"));
        Assert.Equal(":1\r\n", pusher.Call("LLEN", "k"));
    }

    [Fact]
    public async Task OnlyTheSameDatabaseWakesTheWaiter()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal("+OK\r\n", pusher.Call("SELECT", "1"));
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "db1"));
        Assert.Equal(1, server.Server.Blocking.BlockedCount);
        Assert.Equal("+OK\r\n", pusher.Call("SELECT", "0"));
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "db0"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$3\r\ndb0\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task AStringKeyDoesNotWakeAListWaiter()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var other = server.Raw();
        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal("+OK\r\n", other.Call("SET", "k", "str"));
        Assert.Equal(1, server.Server.Blocking.BlockedCount);
        Assert.Equal(":1\r\n", other.Call("DEL", "k"));
        Assert.Equal(":1\r\n", other.Call("RPUSH", "k", "v"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task BlockingMoveIsServedAndChainsToTheNextWaiter()
    {
        await using var server = TestServer.Start();
        using var mover = server.Raw();
        using var popper = server.Raw();
        using var pusher = server.Raw();
        mover.SendCommand("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
        await server.WaitForBlockedClientsAsync(1);
        popper.SendCommand("BLPOP", "dst", "0");
        await server.WaitForBlockedClientsAsync(2);
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "src", "a", "b"));
        Assert.Equal("$1\r\nb\r\n", mover.ReadReply());
        // The move created dst, which then served the next waiter in the same round.
        Assert.Equal("*2\r\n$3\r\ndst\r\n$1\r\nb\r\n", popper.ReadReply());
        Assert.Equal("*1\r\n$1\r\na\r\n", pusher.Call("LRANGE", "src", "0", "-1"));
        Assert.Equal(":0\r\n", pusher.Call("LLEN", "dst"));
    }

    [Fact]
    public async Task BlockingMoveOntoTheSameKey()
    {
        await using var server = TestServer.Start();
        using var mover = server.Raw();
        using var pusher = server.Raw();
        mover.SendCommand("BRPOPLPUSH", "k", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "k", "a", "b"));
        Assert.Equal("$1\r\nb\r\n", mover.ReadReply());
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\na\r\n", pusher.Call("LRANGE", "k", "0", "-1"));
    }

    [Fact]
    public async Task BlockingMoveOntoAWrongTypeFailsWithoutPopping()
    {
        await using var server = TestServer.Start();
        using var mover = server.Raw();
        using var pusher = server.Raw();
        Assert.Equal("+OK\r\n", pusher.Call("SET", "s", "x"));
        mover.SendCommand("BLMOVE", "k", "s", "left", "right", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "v"));
        Assert.Equal(WrongType, mover.ReadReply());
        Assert.Equal(":1\r\n", pusher.Call("LLEN", "k"));
        Assert.Equal(1, server.Server.Commands.Find("blmove")!.FailedCalls);
    }

    [Fact]
    public async Task BlockingMpopServesWithCount()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        waiter.SendCommand("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":3\r\n", pusher.Call("RPUSH", "b", "1", "2", "3"));
        Assert.Equal("*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n", waiter.ReadReply());
        Assert.Equal(":1\r\n", pusher.Call("LLEN", "b"));
    }

    [Fact]
    public async Task RepeatedKeyWaitsOnce()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        waiter.SendCommand("BLPOP", "k", "k", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(1, server.Server.Blocking.KeyCount);
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "k", "1", "2"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\n1\r\n", waiter.ReadReply());
        Assert.Equal(":1\r\n", pusher.Call("LLEN", "k"));
        Assert.Equal(0, server.Server.Blocking.KeyCount);
    }

    [Fact]
    public async Task BytesSentWhileBlockedRunAfterTheWakeUp()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var pusher = server.Raw();
        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        waiter.SendCommand("ECHO", "queued");
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "v"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", waiter.ReadReply());
        Assert.Equal("$6\r\nqueued\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task ClientUnblock()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var admin = server.Raw();
        long id = ClientId(waiter);
        Assert.Equal(":0\r\n", admin.Call("CLIENT", "UNBLOCK", id.ToString()));

        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "UNBLOCK", id.ToString()));
        Assert.Equal("*-1\r\n", waiter.ReadReply());

        waiter.SendCommand("BLMOVE", "k", "d", "left", "left", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "UNBLOCK", id.ToString(), "TIMEOUT"));
        Assert.Equal("*-1\r\n", waiter.ReadReply());

        waiter.SendCommand("BRPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "unblock", id.ToString(), "error"));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", waiter.ReadReply());
        Assert.Equal(1, server.Server.Stats.ErrorsByCode["UNBLOCKED"]);
        Assert.Equal(0, server.Server.Blocking.BlockedCount);

        Assert.Equal(":0\r\n", admin.Call("CLIENT", "UNBLOCK", "999999"));
        Assert.Equal(":0\r\n", admin.Call("CLIENT", "UNBLOCK", "999999", "error"));
        Assert.Equal("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", admin.Call("CLIENT", "UNBLOCK", "1", "foo"));
        Assert.Equal("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", admin.Call("CLIENT", "UNBLOCK", "x", "foo"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", admin.Call("CLIENT", "UNBLOCK", "x"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\r\n",
            admin.Call("CLIENT", "unblock", "1", "error", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'client|unblock' command\r\n", admin.Call("CLIENT", "UNBLOCK"));
    }

    [Fact]
    public async Task DeniedBlockingRepliesAsTimeout()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        // What EXEC sets while it runs queued commands.
        Session(server, c).DenyBlocking = true;
        Assert.Equal("*-1\r\n", c.Call("BLPOP", "k", "0"));
        Assert.Equal("*-1\r\n", c.Call("BLMPOP", "0", "1", "k", "left"));
        Assert.Equal("$-1\r\n", c.Call("BRPOPLPUSH", "k", "d", "0"));
        Assert.Equal("$-1\r\n", c.Call("BLMOVE", "k", "d", "left", "left", "0"));
        Assert.Equal(0, server.Server.Blocking.BlockedCount);
    }

    [Fact]
    public async Task Resp3TimeoutIsNull()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.StartsWith("%7\r\n", c.Call("HELLO", "3"));
        Assert.Equal("_\r\n", c.Call("BLPOP", "k", "0.01"));
        Assert.Equal("_\r\n", c.Call("BLMOVE", "k", "d", "left", "left", "0.01"));
        Assert.Equal("_\r\n", c.Call("LPOP", "k", "2"));
        Assert.Equal("_\r\n", c.Call("LPOP", "k"));
        Assert.Equal("_\r\n", c.Call("LPOS", "k", "x"));
        Assert.Equal("_\r\n", c.Call("LMPOP", "1", "k", "left"));
        Session(server, c).DenyBlocking = true;
        Assert.Equal("_\r\n", c.Call("BRPOPLPUSH", "k", "d", "0"));
        Session(server, c).DenyBlocking = false;

        using var pusher = server.Raw();
        c.SendCommand("BLMPOP", "0", "1", "k", "left");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "v"));
        Assert.Equal("*2\r\n$1\r\nk\r\n*1\r\n$1\r\nv\r\n", c.ReadReply());
    }

    [Fact]
    public async Task BlockedClientIsListedWithFlagB()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var admin = server.Raw();
        long id = ClientId(waiter);
        waiter.SendCommand("BLPOP", "k", "5");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(1, server.Server.Blocking.TimeoutCount);
        string list = admin.Call("CLIENT", "LIST", "ID", id.ToString());
        Assert.Contains(" flags=b ", list);
        Assert.Contains(" cmd=blpop ", list);
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "UNBLOCK", id.ToString()));
        Assert.Equal("*-1\r\n", waiter.ReadReply());
        Assert.Equal(0, server.Server.Blocking.TimeoutCount);
    }

    [Fact]
    public async Task KilledWaiterStopsWaiting()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        using var admin = server.Raw();
        long id = ClientId(waiter);
        waiter.SendCommand("BRPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "KILL", "ID", id.ToString()));
        Assert.True(waiter.WaitForClose(TimeSpan.FromSeconds(5)));
        await server.WaitForBlockedClientsAsync(0);
        Assert.Equal(":1\r\n", admin.Call("RPUSH", "k", "kept"));
        Assert.Equal(":1\r\n", admin.Call("LLEN", "k"));
    }

    [Fact]
    public async Task IdleTimeoutDoesNotCloseABlockedClient()
    {
        await using var server = TestServer.Start(cfg => cfg.TimeoutSeconds = 1);
        using var waiter = server.Raw();
        ClientSession session = Session(server, waiter);
        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        session.LastInteractionMs -= 10_000;
        server.Server.Cron(100);
        using var pusher = server.Raw();
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "k", "v"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task ServerStopReleasesBlockedClients()
    {
        await using var server = TestServer.Start();
        using var waiter = server.Raw();
        waiter.SendCommand("BLPOP", "k", "0");
        await server.WaitForBlockedClientsAsync(1);
        await server.Server.StopAsync();
        Assert.True(waiter.WaitForClose(TimeSpan.FromSeconds(5)));
        await server.WaitForBlockedClientsAsync(0);
    }

    [Fact]
    public async Task TimeoutIsParsedAsRedisLongDouble()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var admin = server.Raw();
        long id = ClientId(c);
        // A hex float, as strtold reads it: 1/16 s.
        Assert.Equal("*-1\r\n", c.Call("BLPOP", "k", "0x1p-4"));
        // -0.001 s times 1000 in extended precision is just above -1, so ceil gives 0: wait forever, as Redis.
        c.SendCommand("BLPOP", "k", "-0.001");
        await server.WaitForBlockedClientsAsync(1);
        Assert.Equal(0, server.Server.Blocking.TimeoutCount);
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "UNBLOCK", id.ToString()));
        Assert.Equal("*-1\r\n", c.ReadReply());
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("0.0001", 1)]
    [InlineData("0.001", 1)]
    [InlineData("1.5", 1500)]
    [InlineData("-0.001", 0)]
    [InlineData("-0.0001", 0)]
    [InlineData("-1", -1000)]
    [InlineData("0x10", 16000)]
    [InlineData("9223372036854775.807", 9223372036854775807)]
    [InlineData("9223372036854775.808", long.MinValue)]
    [InlineData("inf", long.MinValue)]
    [InlineData("1e400", long.MinValue)]
    public void CeilMillisecondsMatchesRedis(string text, long expected)
    {
        Assert.True(Amber.Text.LongDouble.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out Amber.Text.LongDouble seconds));
        Assert.Equal(expected, Amber.Commands.BlockingTimeout.CeilMilliseconds(seconds));
    }
}
