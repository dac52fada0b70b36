using System.Diagnostics;
using Amber.Keyspace;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

public class DebugCommandsTests
{
    private const string Refused =
        "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, " +
        "otherwise you need to set this option in the configuration file, and then restart the server.\r\n";

    private static TestServer Start() => TestServer.Start(cfg => cfg.EnableDebugCommand = "yes");

    [Fact]
    public async Task RefusedByDefaultAfterTheArityCheck()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(Refused, c.Call("DEBUG", "HELP"));
        Assert.Equal(Refused, c.Call("debug", "digest"));
        Assert.Equal("-ERR wrong number of arguments for 'debug' command\r\n", c.Call("DEBUG"));
        Assert.Matches(@"cmdstat_debug:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=3,failed_calls=0", c.Call("INFO", "commandstats"));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("LOCAL")]
    [InlineData("yes")]
    public async Task AllowedFromLoopbackWhenLocalOrYes(string setting)
    {
        await using var server = TestServer.Start(cfg => cfg.EnableDebugCommand = setting);
        using var c = server.Raw();
        Assert.Equal("+0000000000000000000000000000000000000000\r\n", c.Call("DEBUG", "DIGEST"));
    }

    [Fact]
    public async Task LocalRefusesOtherAddressesEvenOnLoopbackNetwork()
    {
        await using var server = TestServer.Start(cfg => cfg.EnableDebugCommand = "local");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), 0));
        socket.Connect(System.Net.IPAddress.Loopback, server.Port);
        socket.Send("*2\r\n$5\r\nDEBUG\r\n$6\r\nDIGEST\r\n"u8);
        var buffer = new byte[1024];
        int n = 0;
        while (n < Refused.Length)
        {
            int got = socket.Receive(buffer, n, buffer.Length - n, System.Net.Sockets.SocketFlags.None);
            Assert.True(got > 0);
            n += got;
        }
        Assert.Equal(Refused, System.Text.Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task DigestMatchesRedis()
    {
        await using var server = Start();
        using var c = server.Raw();
        Assert.Equal("+0000000000000000000000000000000000000000\r\n", c.Call("DEBUG", "DIGEST"));
        // Values captured from redis-server 7.0.15 with the same dataset.
        c.Call("SET", "n", "12345");
        c.Call("SET", "e", "");
        c.Call("SET", "big", new string('x', 50));
        c.Call("SET", "a", "hellox");
        Assert.Equal("+0b9d6a08cddc46278a350870226dc4932f9e532a\r\n", c.Call("DEBUG", "DIGEST"));
        Assert.Equal("*3\r\n+a8a9be575fe6a53e7eb0578fa06387d243cb063d\r\n+e1cf90774e995ae03de66e8109dc5cb9d9c2dc83\r\n+0000000000000000000000000000000000000000\r\n",
            c.Call("DEBUG", "DIGEST-VALUE", "a", "n", "nosuch"));
        Assert.Equal("*0\r\n", c.Call("DEBUG", "DIGEST-VALUE"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n", c.Call("DEBUG", "DIGEST", "x"));
    }

    [Fact]
    public async Task DigestDependsOnContentNotOrderAndCoversDatabasesAndExpiry()
    {
        await using var server = Start();
        using var c = server.Raw();
        c.Call("SET", "a", "hellox");
        c.Call("SELECT", "1");
        c.Call("SET", "b", "v");
        Assert.Equal("+5fc534192fdd21097d92f00a0f3cece214898c6d\r\n", c.Call("DEBUG", "DIGEST"));

        await using var other = Start();
        using var o = other.Raw();
        o.Call("SELECT", "1");
        o.Call("SET", "b", "v");
        o.Call("SELECT", "0");
        o.Call("SET", "zz", "1");
        o.Call("SET", "a", "hellox");
        o.Call("DEL", "zz");
        Assert.Equal("+5fc534192fdd21097d92f00a0f3cece214898c6d\r\n", o.Call("DEBUG", "DIGEST"));

        c.Call("SELECT", "0");
        lock (server.Server.KeyspaceLock)
        {
            Database db = server.Server.Databases[0];
            db.SetExpiry(db.FindRaw("a"u8)!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 100_000);
        }
        Assert.Equal("*1\r\n+4e2c40a883df4f6abfa6bc77e5094849596547be\r\n", c.Call("DEBUG", "DIGEST-VALUE", "a"));
        Assert.NotEqual("+5fc534192fdd21097d92f00a0f3cece214898c6d\r\n", c.Call("DEBUG", "DIGEST"));
    }

    [Fact]
    public async Task DigestCoversListsAsRedis()
    {
        await using var server = Start();
        using var c = server.Raw();
        c.Call("RPUSH", "l", "a", "b", "c");
        // redis-server 7.0.15: RPUSH l a b c; DEBUG DIGEST-VALUE l
        Assert.Equal("*1\r\n+8bf72d812571eea9b927f3c11beb0c4165a6ff89\r\n", c.Call("DEBUG", "DIGEST-VALUE", "l"));
        Assert.Matches(@"^\+[0-9a-f]{40}\r\n$", c.Call("DEBUG", "DIGEST"));
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:quicklist serializedlength:", c.Call("DEBUG", "OBJECT", "l"));
    }

    [Fact]
    public async Task ObjectDescribesStrings()
    {
        await using var server = Start();
        using var c = server.Raw();
        c.Call("SET", "s", "hello");
        c.Call("SET", "e", "");
        c.Call("SET", "n", "12345");
        c.Call("SET", "i", "100");
        c.Call("SET", "r", new string('q', 45));
        const string Tail = @" lru:[0-9]+ lru_seconds_idle:[0-9]+\r\n$";
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6" + Tail, c.Call("DEBUG", "OBJECT", "s"));
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:1" + Tail, c.Call("DEBUG", "OBJECT", "e"));
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:3" + Tail, c.Call("DEBUG", "OBJECT", "n"));
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2" + Tail, c.Call("DEBUG", "OBJECT", "i"));
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:raw serializedlength:[0-9]+" + Tail, c.Call("DEBUG", "OBJECT", "r"));
        string line = c.Call("DEBUG", "OBJECT", "s");
        long lru = long.Parse(System.Text.RegularExpressions.Regex.Match(line, "lru:([0-9]+)").Groups[1].Value);
        Assert.InRange(lru, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5) & 0xFFFFFF, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1) & 0xFFFFFF);
        Assert.Equal("-ERR no such key\r\n", c.Call("DEBUG", "OBJECT", "nosuch"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n", c.Call("DEBUG", "OBJECT"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'Object'. Try DEBUG HELP.\r\n", c.Call("DEBUG", "Object", "s", "x"));
    }

    [Fact]
    public async Task SleepBlocksTheServer()
    {
        await using var server = Start();
        using var c = server.Raw();
        using var other = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "SLEEP", "0"));
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "SLEEP", "x"));
        var sw = Stopwatch.StartNew();
        c.SendCommand("DEBUG", "SLEEP", "0.3");
        // Wait until the sleep holds the keyspace lock, so the PING below must wait for it.
        Assert.True(SpinWait.SpinUntil(() =>
        {
            if (Monitor.TryEnter(server.Server.KeyspaceLock))
            {
                Monitor.Exit(server.Server.KeyspaceLock);
                return false;
            }
            return true;
        }, 5000));
        Assert.Equal("+PONG\r\n", other.Call("PING"));
        Assert.True(sw.ElapsedMilliseconds >= 250, $"PING answered after {sw.ElapsedMilliseconds} ms during DEBUG SLEEP");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'Sleep'. Try DEBUG HELP.\r\n", c.Call("DEBUG", "Sleep"));
    }

    [Fact]
    public async Task SetActiveExpireControlsTheCron()
    {
        await using var server = Start();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        Assert.False(server.Server.ActiveExpireEnabled);
        c.Call("SET", "k", "v");
        lock (server.Server.KeyspaceLock)
        {
            Database db = server.Server.Databases[0];
            db.SetExpiry(db.FindRaw("k"u8)!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1);
        }
        server.Server.Cron(100);
        Assert.Equal(1, server.Server.Databases[0].Count); // still there: only an access would expire it now
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "set-active-expire", "1"));
        Assert.True(server.Server.ActiveExpireEnabled);
        server.Server.Cron(100);
        Assert.Equal(0, server.Server.Databases[0].Count);
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "SET-ACTIVE-EXPIRE", "x")); // atoi("x") = 0, as Redis
        Assert.False(server.Server.ActiveExpireEnabled);
    }

    [Fact]
    public async Task HelpAndUnknownSubcommands()
    {
        await using var server = Start();
        using var c = server.Raw();
        string help = c.Call("DEBUG", "HELP");
        Assert.StartsWith("*30\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DIGEST\r\n", help);
        Assert.EndsWith("+HELP\r\n+    Prints this help.\r\n", help);
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n", c.Call("DEBUG", "foo"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'jmap'. Try DEBUG HELP.\r\n", c.Call("DEBUG", "jmap"));
    }
}
