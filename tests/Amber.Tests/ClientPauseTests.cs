using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>CLIENT PAUSE / UNPAUSE: held commands wait without losing order and resume when the pause ends.</summary>
public class ClientPauseTests
{
    /// <summary>True if a reply arrives within the time (the socket turns readable).</summary>
    private static bool ReplyArrives(RawClient c, TimeSpan within) => c.Poll(within);

    [Fact]
    public async Task PauseArgumentErrors()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR wrong number of arguments for 'client|pause' command\r\n", c.Call("CLIENT", "PAUSE"));
        Assert.Equal("-ERR timeout is not an integer or out of range\r\n", c.Call("CLIENT", "PAUSE", "abc"));
        Assert.Equal("-ERR timeout is not an integer or out of range\r\n", c.Call("CLIENT", "PAUSE", "1.5"));
        Assert.Equal("-ERR timeout is negative\r\n", c.Call("CLIENT", "PAUSE", "-1"));
        Assert.Equal("-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", c.Call("CLIENT", "PAUSE", "10", "foo"));
        // The mode is checked before the timeout, as in Redis.
        Assert.Equal("-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", c.Call("CLIENT", "PAUSE", "abc", "foo"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.\r\n", c.Call("CLIENT", "pause", "10", "all", "extra"));
        Assert.Equal("-ERR wrong number of arguments for 'client|unpause' command\r\n", c.Call("CLIENT", "UNPAUSE", "x"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "PAUSE", "0"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "UNPAUSE"));
    }

    [Fact]
    public async Task WritePauseHoldsWritesButServesReads()
    {
        await using var server = TestServer.Start();
        using var admin = server.Raw();
        using var writer = server.Raw();
        using var reader = server.Raw();
        Assert.Equal("+OK\r\n", admin.Call("SET", "k", "old"));
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "WRITE"));

        writer.Send("SET k new\r\nGET k\r\n");
        Assert.Equal("$3\r\nold\r\n", reader.Call("GET", "k"));
        Assert.False(ReplyArrives(writer, TimeSpan.FromMilliseconds(200)));

        string list = reader.Call("CLIENT", "LIST");
        Assert.Contains(" flags=b ", list);
        Assert.Contains(" cmd=set ", list);

        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "UNPAUSE"));
        Assert.Equal("+OK\r\n", writer.ReadReply());
        Assert.Equal("$3\r\nnew\r\n", writer.ReadReply());
        Assert.DoesNotContain(" flags=b ", reader.Call("CLIENT", "LIST"));
    }

    [Fact]
    public async Task AllPauseHoldsEverythingIncludingUnpauseAndEndsOnTimeout()
    {
        await using var server = TestServer.Start();
        using var admin = server.Raw();
        using var other = server.Raw();
        long started = Environment.TickCount64;
        admin.Send("CLIENT PAUSE 400 ALL\r\nPING mine\r\n");
        Assert.Equal("+OK\r\n", admin.ReadReply());
        other.Send("CLIENT UNPAUSE\r\nPING theirs\r\n");
        // Errors found before execution (unknown command, arity) are not held.
        using var third = server.Raw();
        Assert.Equal("-ERR unknown command 'nosuch', with args beginning with: \r\n", third.Call("nosuch"));
        Assert.Equal("$4\r\nmine\r\n", admin.ReadReply());
        Assert.Equal("+OK\r\n", other.ReadReply());
        Assert.Equal("$6\r\ntheirs\r\n", other.ReadReply());
        Assert.True(Environment.TickCount64 - started >= 350, "the pause ended too early");
    }

    [Fact]
    public async Task PauseOnlyGetsLongerAndStronger()
    {
        await using var server = TestServer.Start();
        using var admin = server.Raw();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "WRITE"));
        // CLIENT PAUSE is not a write: it runs during a WRITE pause, and makes it ALL but not shorter.
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "10", "ALL"));
        await Task.Delay(100);
        c.Send("GET k\r\n");
        Assert.False(ReplyArrives(c, TimeSpan.FromMilliseconds(200)));
        // Every client is held now, UNPAUSE included, so end it from inside.
        server.Server.Pause.Unpause();
        Assert.Equal("$-1\r\n", c.ReadReply());
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "ALL"));
        Assert.Equal(Amber.Server.PauseKind.All, server.Server.Pause.Kind);
        server.Server.Pause.Unpause();
        Assert.Equal("+PONG\r\n", admin.Call("PING"));
    }

    [Fact]
    public async Task HeldClientsKeepTheirPipelineOrderAndReplySkip()
    {
        await using var server = TestServer.Start();
        using var admin = server.Raw();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "WRITE"));
        var sb = new System.Text.StringBuilder("GET n\r\nCLIENT REPLY SKIP\r\nSET n skipped\r\n");
        for (int i = 0; i < 100; i++)
        {
            sb.Append("SET n ").Append(i).Append("\r\nGET n\r\n");
        }
        c.Send(sb.ToString());
        Assert.Equal("$-1\r\n", c.ReadReply());
        Assert.False(ReplyArrives(c, TimeSpan.FromMilliseconds(150)));
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "UNPAUSE"));
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal("+OK\r\n", c.ReadReply());
            Assert.Equal($"${i.ToString().Length}\r\n{i}\r\n", c.ReadReply());
        }
    }

    [Fact]
    public async Task HeldClientCanBeKilledAndIsNotTimedOut()
    {
        await using var server = TestServer.Start(cfg => cfg.TimeoutSeconds = 1);
        using var admin = server.Raw();
        using var held = server.Raw();
        string heldId = held.Call("CLIENT", "ID")[1..^2];
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "WRITE"));
        held.Send("SET k v\r\n");
        // Idle for more than the timeout while held: still connected (Redis exempts blocked clients).
        await Task.Delay(2300);
        Assert.True(admin.WaitForClose(TimeSpan.FromSeconds(5)), "an idle client that is not held is closed");
        using var killer = server.Raw();
        Assert.Equal(":1\r\n", killer.Call("CLIENT", "KILL", "ID", heldId));
        Assert.True(held.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.Equal("+OK\r\n", killer.Call("CLIENT", "UNPAUSE"));
        Assert.Equal("$-1\r\n", killer.Call("GET", "k"));
    }

    [Fact]
    public async Task StackExchangeRedisWaitsThroughAPause()
    {
        await using var server = TestServer.Start();
        var db = server.Db();
        using var admin = server.Raw();
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "300", "WRITE"));
        long started = Environment.TickCount64;
        Assert.True(await db.StringSetAsync("k", "v"));
        Assert.True(Environment.TickCount64 - started >= 200);
        Assert.Equal("v", (string?)await db.StringGetAsync("k"));
    }

    [Fact]
    public async Task ManyHeldClientsAllResume()
    {
        await using var server = TestServer.Start();
        using var admin = server.Raw();
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "WRITE"));
        var clients = new List<RawClient>();
        for (int i = 0; i < 50; i++)
        {
            RawClient c = server.Raw();
            c.Send($"SET key{i} {i}\r\n");
            clients.Add(c);
        }
        Assert.False(ReplyArrives(clients[^1], TimeSpan.FromMilliseconds(100)));
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "UNPAUSE"));
        foreach (RawClient c in clients)
        {
            Assert.Equal("+OK\r\n", c.ReadReply());
        }
        Assert.Equal("$2\r\n49\r\n", admin.Call("GET", "key49"));
    }
}
