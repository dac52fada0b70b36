using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>HELLO, AUTH and RESET, with and without requirepass.</summary>
public class HandshakeTests
{
    private static string HelloReply(string header, int proto, string id) =>
        header + "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:" + proto + "\r\n$2\r\nid\r\n:" + id +
        "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";

    [Fact]
    public async Task HelloRepliesInTheChosenProtocol()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string id = c.Call("CLIENT", "ID")[1..^2];
        Assert.Equal(HelloReply("*14\r\n", 2, id), c.Call("HELLO"));
        Assert.Equal(HelloReply("*14\r\n", 2, id), c.Call("HELLO", "2"));
        Assert.Equal(HelloReply("%7\r\n", 3, id), c.Call("HELLO", "3"));
        Assert.Equal("_\r\n", c.Call("GET", "missing"));
        Assert.Equal(HelloReply("%7\r\n", 3, id), c.Call("HELLO"));
        Assert.Equal(HelloReply("*14\r\n", 2, id), c.Call("HELLO", "2"));
        Assert.Equal("$-1\r\n", c.Call("GET", "missing"));
    }

    [Theory]
    [InlineData(new[] { "4" }, "-NOPROTO unsupported protocol version\r\n")]
    [InlineData(new[] { "1" }, "-NOPROTO unsupported protocol version\r\n")]
    [InlineData(new[] { "-3" }, "-NOPROTO unsupported protocol version\r\n")]
    [InlineData(new[] { "4", "SETNAME", "foo" }, "-NOPROTO unsupported protocol version\r\n")]
    [InlineData(new[] { "abc" }, "-ERR Protocol version is not an integer or out of range\r\n")]
    [InlineData(new[] { "03" }, "-ERR Protocol version is not an integer or out of range\r\n")]
    [InlineData(new[] { "3", "foo" }, "-ERR Syntax error in HELLO option 'foo'\r\n")]
    [InlineData(new[] { "3", "AUTH" }, "-ERR Syntax error in HELLO option 'AUTH'\r\n")]
    [InlineData(new[] { "3", "AUTH", "default" }, "-ERR Syntax error in HELLO option 'AUTH'\r\n")]
    [InlineData(new[] { "3", "SETNAME" }, "-ERR Syntax error in HELLO option 'SETNAME'\r\n")]
    [InlineData(new[] { "3", "SETNAME", "a b" }, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n")]
    [InlineData(new[] { "3", "SETNAME", "a b", "AUTH", "x", "y" }, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n")]
    [InlineData(new[] { "3", "AUTH", "bob", "pw" }, "-WRONGPASS invalid username-password pair or user is disabled.\r\n")]
    public async Task HelloErrors(string[] args, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(expected, c.Call(["HELLO", .. args]));
        Assert.Equal("$-1\r\n", c.Call("GET", "x"));
    }

    [Fact]
    public async Task HelloSetNameAndAuthWithoutPassword()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.StartsWith("%7\r\n", c.Call("HELLO", "3", "auth", "default", "anything", "setname", "a", "SETNAME", "b"));
        Assert.Equal("$1\r\nb\r\n", c.Call("CLIENT", "GETNAME"));
    }

    [Fact]
    public async Task AuthWithoutRequirePass()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", c.Call("AUTH", "x"));
        Assert.Equal("+OK\r\n", c.Call("AUTH", "default", "x"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.Call("AUTH", "bob", "x"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("AUTH", "a", "b", "c"));
        Assert.Equal("-ERR wrong number of arguments for 'auth' command\r\n", c.Call("AUTH"));
    }

    [Fact]
    public async Task RequirePassGatesCommandsUntilAuth()
    {
        await using var server = TestServer.Start(cfg => cfg.RequirePass = "secret");
        using var c = server.Raw();
        Assert.Equal("-NOAUTH Authentication required.\r\n", c.Call("PING"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", c.Call("CLIENT", "ID"));
        // Unknown commands and arity errors come first, as in Redis.
        Assert.Equal("-ERR unknown command 'foo', with args beginning with: \r\n", c.Call("foo"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", c.Call("GET"));
        const string helloNoAuth = "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
        Assert.Equal(helloNoAuth, c.Call("HELLO"));
        Assert.Equal(helloNoAuth, c.Call("HELLO", "3", "SETNAME", "x"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.Call("AUTH", "wrong"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.Call("AUTH", "bob", "secret"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.Call("HELLO", "3", "AUTH", "default", "wrong"));
        Assert.Equal("+OK\r\n", c.Call("AUTH", "secret"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        // A failed AUTH keeps the earlier login.
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.Call("AUTH", "wrong"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));

        using var d = server.Raw();
        Assert.Equal("+OK\r\n", d.Call("AUTH", "default", "secret"));
        Assert.Equal("+PONG\r\n", d.Call("PING"));

        using var e = server.Raw();
        Assert.StartsWith("%7\r\n", e.Call("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "n"));
        Assert.Equal("$1\r\nn\r\n", e.Call("CLIENT", "GETNAME"));
        Assert.Equal("+RESET\r\n", e.Call("RESET"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", e.Call("PING"));
    }

    [Fact]
    public async Task QuitWorksBeforeAuth()
    {
        await using var server = TestServer.Start(cfg => cfg.RequirePass = "secret");
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("QUIT"));
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task StackExchangeRedisAuthenticatesWithPassword()
    {
        await using var server = TestServer.Start(cfg => cfg.RequirePass = "secret");
        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", server.Port } },
            Password = "secret",
            Protocol = RedisProtocol.Resp3,
            AbortOnConnectFail = true,
        };
        using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var db = mux.GetDatabase();
        Assert.True(await db.StringSetAsync("k", "v"));
        Assert.Equal("v", (string?)await db.StringGetAsync("k"));
        Assert.Equal(RedisProtocol.Resp3, mux.GetServers()[0].Protocol);
    }

    [Fact]
    public async Task ResetRestoresInitialState()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.StartsWith("%7\r\n", c.Call("HELLO", "3"));
        Assert.Equal("+OK\r\n", c.Call("SELECT", "2"));
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "in-db-2"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "SETNAME", "n"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "NO-EVICT", "on"));
        Assert.Equal("+RESET\r\n", c.Call("RESET"));
        Assert.Equal("$-1\r\n", c.Call("GET", "k"));
        Assert.Equal("$-1\r\n", c.Call("CLIENT", "GETNAME"));
        string info = c.Call("CLIENT", "INFO");
        Assert.StartsWith("$", info);
        Assert.Contains(" flags=e db=0 ", info);
        Assert.EndsWith(" resp=2\n\r\n", info);
        Assert.Equal("-ERR wrong number of arguments for 'reset' command\r\n", c.Call("RESET", "x"));
    }

    [Fact]
    public async Task ResetClearsReplyOffButItsOwnSkippedReplyStaysSkipped()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        // RESET right after CLIENT REPLY SKIP is itself skipped.
        c.Send("CLIENT REPLY SKIP\r\nRESET\r\nPING a\r\n");
        Assert.Equal("$1\r\na\r\n", c.ReadReply());
        // RESET turns replies back on after OFF; its own reply is already on.
        c.Send("CLIENT REPLY OFF\r\nPING\r\nRESET\r\nPING b\r\n");
        Assert.Equal("+RESET\r\n", c.ReadReply());
        Assert.Equal("$1\r\nb\r\n", c.ReadReply());
    }
}
