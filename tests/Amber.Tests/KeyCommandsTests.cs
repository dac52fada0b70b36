using Amber.Commands;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;
using CommandFlags = Amber.Commands.CommandFlags;

namespace Amber.Tests;

/// <summary>DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX KEYS RANDOMKEY COPY over real sockets, replies byte for byte.</summary>
public class KeyCommandsTests
{
    /// <summary>Polls a condition (no fixed sleeps as synchronisation); fails the test after the timeout.</summary>
    internal static void WaitUntil(Func<bool> condition, string what, int timeoutMs = 10000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "timed out waiting for " + what);
            Thread.Yield();
        }
    }

    [Theory]
    // name, arity, flags, first, last, step, categories: as `COMMAND INFO` reports them on Redis 7.0.15.
    [InlineData("del", -2, "write", 1, -1, 1, "keyspace write slow")]
    [InlineData("unlink", -2, "write fast", 1, -1, 1, "keyspace write fast")]
    [InlineData("exists", -2, "readonly fast", 1, -1, 1, "keyspace read fast")]
    [InlineData("type", 2, "readonly fast", 1, 1, 1, "keyspace read fast")]
    [InlineData("expire", -3, "write fast", 1, 1, 1, "keyspace write fast")]
    [InlineData("pexpire", -3, "write fast", 1, 1, 1, "keyspace write fast")]
    [InlineData("expireat", -3, "write fast", 1, 1, 1, "keyspace write fast")]
    [InlineData("pexpireat", -3, "write fast", 1, 1, 1, "keyspace write fast")]
    [InlineData("ttl", 2, "readonly fast", 1, 1, 1, "keyspace read fast")]
    [InlineData("pttl", 2, "readonly fast", 1, 1, 1, "keyspace read fast")]
    [InlineData("expiretime", 2, "readonly fast", 1, 1, 1, "keyspace read fast")]
    [InlineData("pexpiretime", 2, "readonly fast", 1, 1, 1, "keyspace read fast")]
    [InlineData("persist", 2, "write fast", 1, 1, 1, "keyspace write fast")]
    [InlineData("rename", 3, "write", 1, 2, 1, "keyspace write slow")]
    [InlineData("renamenx", 3, "write fast", 1, 2, 1, "keyspace write fast")]
    [InlineData("keys", 2, "readonly", 0, 0, 0, "keyspace read slow dangerous")]
    [InlineData("scan", -2, "readonly", 0, 0, 0, "keyspace read slow")]
    [InlineData("randomkey", 1, "readonly", 0, 0, 0, "keyspace read slow")]
    [InlineData("copy", -3, "write denyoom", 1, 2, 1, "keyspace write slow")]
    [InlineData("touch", -2, "readonly fast", 1, -1, 1, "keyspace read fast")]
    [InlineData("object", -2, "", 0, 0, 0, "slow")]
    [InlineData("object|help", 2, "loading stale", 0, 0, 0, "keyspace slow")]
    [InlineData("object|freq", 3, "readonly", 2, 2, 1, "keyspace read slow")]
    [InlineData("object|idletime", 3, "readonly", 2, 2, 1, "keyspace read slow")]
    [InlineData("object|encoding", 3, "readonly", 2, 2, 1, "keyspace read slow")]
    [InlineData("object|refcount", 3, "readonly", 2, 2, 1, "keyspace read slow")]
    [InlineData("swapdb", 3, "write fast", 0, 0, 0, "keyspace write fast dangerous")]
    [InlineData("move", 3, "write fast", 1, 1, 1, "keyspace write fast")]
    [InlineData("flushdb", -1, "write", 0, 0, 0, "keyspace write slow dangerous")]
    [InlineData("flushall", -1, "write", 0, 0, 0, "keyspace write slow dangerous")]
    [InlineData("dbsize", 1, "readonly fast", 0, 0, 0, "keyspace read fast")]
    public void CommandMetadataMatchesRedis(string name, int arity, string flags, int first, int last, int step, string categories)
    {
        CommandTable table = CommandRegistry.Build();
        string[] parts = name.Split('|');
        CommandSpec? spec = table.Find(parts[0]);
        Assert.NotNull(spec);
        if (parts.Length == 2)
        {
            spec = CommandTable.FindSubcommand(spec!, System.Text.Encoding.ASCII.GetBytes(parts[1]));
            Assert.NotNull(spec);
        }
        Assert.Equal(arity, spec!.Arity);
        Assert.Equal((first, last, step), (spec.FirstKey, spec.LastKey, spec.Step));
        Assert.Equal(categories, string.Join(' ', spec.Categories));
        CommandFlags expected = CommandFlags.None;
        foreach (string f in flags.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            expected |= f switch
            {
                "write" => CommandFlags.Write,
                "readonly" => CommandFlags.ReadOnly,
                "fast" => CommandFlags.Fast,
                "denyoom" => CommandFlags.DenyOom,
                "loading" => CommandFlags.Loading,
                "stale" => CommandFlags.Stale,
                _ => throw new ArgumentException(f),
            };
        }
        Assert.Equal(expected, spec.Flags);
    }

    [Fact]
    public async Task DelAndUnlinkCountEachExistingKeyOnce()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        c.Call("SET", "b", "2");
        Assert.Equal(":2\r\n", c.Call("DEL", "a", "a", "b", "nokey"));
        Assert.Equal(":0\r\n", c.Call("DEL", "a"));
        c.Call("SET", "a", "1");
        Assert.Equal(":1\r\n", c.Call("UNLINK", "a", "a"));
        Assert.Equal("$-1\r\n", c.Call("GET", "a"));
        Assert.Equal("-ERR wrong number of arguments for 'del' command\r\n", c.Call("DEL"));
        Assert.Equal("-ERR wrong number of arguments for 'unlink' command\r\n", c.Call("UNLINK"));
    }

    [Fact]
    public async Task ExistsAndTouchCountDuplicatesAndIgnoreMissingKeys()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal(":2\r\n", c.Call("EXISTS", "a", "a", "nokey"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "nokey"));
        Assert.Equal(":2\r\n", c.Call("TOUCH", "a", "a", "nokey"));
        Assert.Equal("-ERR wrong number of arguments for 'exists' command\r\n", c.Call("EXISTS"));
        Assert.Equal("-ERR wrong number of arguments for 'touch' command\r\n", c.Call("TOUCH"));
    }

    [Fact]
    public async Task ReadLookupsCountKeyspaceHitsAndMisses()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        long hits = server.Server.Stats.KeyspaceHits;
        long misses = server.Server.Stats.KeyspaceMisses;
        c.Call("EXISTS", "a", "nokey");
        c.Call("TYPE", "a");
        c.Call("TTL", "nokey");
        c.Call("TOUCH", "a");
        // Write lookups (EXPIRE, DEL, RENAME) are not counted, as in Redis.
        c.Call("EXPIRE", "nokey", "10");
        c.Call("DEL", "nokey");
        Assert.Equal(hits + 3, server.Server.Stats.KeyspaceHits);
        Assert.Equal(misses + 2, server.Server.Stats.KeyspaceMisses);
    }

    [Fact]
    public async Task TypeNamesStringsAndMissingKeys()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("+string\r\n", c.Call("TYPE", "a"));
        Assert.Equal("+none\r\n", c.Call("TYPE", "nokey"));
        Assert.Equal("-ERR wrong number of arguments for 'type' command\r\n", c.Call("TYPE", "a", "b"));
    }

    [Fact]
    public async Task RenameMovesValueAndTimeToLive()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR no such key\r\n", c.Call("RENAME", "a", "b"));
        Assert.Equal("-ERR no such key\r\n", c.Call("RENAME", "a", "a"));
        c.Call("SET", "a", "1");
        Assert.Equal("+OK\r\n", c.Call("RENAME", "a", "a"));
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "a"));
        c.Call("PEXPIRE", "a", "100000");
        c.Call("SET", "b", "old");
        Assert.Equal("+OK\r\n", c.Call("RENAME", "a", "b"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "a"));
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "b"));
        long pttl = long.Parse(c.Call("PTTL", "b").Trim(':', '\r', '\n'));
        Assert.InRange(pttl, 90000, 100000);
        // The target's own TTL is replaced by the source's (none here).
        c.Call("SET", "c", "x");
        Assert.Equal("+OK\r\n", c.Call("RENAME", "c", "b"));
        Assert.Equal(":-1\r\n", c.Call("TTL", "b"));
        Assert.Equal("-ERR wrong number of arguments for 'rename' command\r\n", c.Call("RENAME", "b"));
    }

    [Fact]
    public async Task RenameNxOnlyWhenTheNewNameIsFree()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR no such key\r\n", c.Call("RENAMENX", "a", "b"));
        Assert.Equal("-ERR no such key\r\n", c.Call("RENAMENX", "a", "a"));
        c.Call("SET", "a", "1");
        c.Call("SET", "b", "2");
        Assert.Equal(":0\r\n", c.Call("RENAMENX", "a", "a"));
        Assert.Equal(":0\r\n", c.Call("RENAMENX", "a", "b"));
        Assert.Equal("$1\r\n2\r\n", c.Call("GET", "b"));
        c.Call("EXPIRE", "a", "100");
        Assert.Equal(":1\r\n", c.Call("RENAMENX", "a", "c"));
        Assert.Equal(":100\r\n", c.Call("TTL", "c"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "a"));
    }

    [Fact]
    public async Task KeysMatchesGlobPatterns()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("*0\r\n", c.Call("KEYS", "*"));
        foreach (string k in new[] { "one", "two", "three", "four" })
        {
            c.Call("SET", k, "x");
        }
        var db = server.Db();
        string[] all = (string[])(await db.ExecuteAsync("KEYS", "*"))!;
        Assert.Equal(["four", "one", "three", "two"], all.Order());
        string[] t = (string[])(await db.ExecuteAsync("KEYS", "t*"))!;
        Assert.Equal(["three", "two"], t.Order());
        Assert.Equal("*1\r\n$3\r\none\r\n", c.Call("KEYS", "?ne"));
        Assert.Equal("*0\r\n", c.Call("KEYS", "x*"));
        Assert.Equal("-ERR wrong number of arguments for 'keys' command\r\n", c.Call("KEYS"));
    }

    [Fact]
    public async Task KeysAndRandomKeySkipLogicallyExpiredKeys()
    {
        await using var server = TestServer.Start();
        server.Server.ActiveExpireEnabled = false;
        using var c = server.Raw();
        c.Call("SET", "stay", "1");
        for (int i = 0; i < 20; i++)
        {
            c.Call("SET", "gone" + i, "1");
            c.Call("PEXPIRE", "gone" + i, "20");
        }
        // KEYS hides expired keys without reclaiming them.
        WaitUntil(() => c.Call("KEYS", "*") == "*1\r\n$4\r\nstay\r\n", "the volatile keys to expire");
        Assert.Equal(":21\r\n", c.Call("DBSIZE"));
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("$4\r\nstay\r\n", c.Call("RANDOMKEY"));
        }
    }

    [Fact]
    public async Task RandomKeyReturnsAnExistingKeyOrNull()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("$-1\r\n", c.Call("RANDOMKEY"));
        var names = new HashSet<string>();
        for (int i = 0; i < 10; i++)
        {
            c.Call("SET", "k" + i, "v");
            names.Add("k" + i);
        }
        var seen = new HashSet<string>();
        for (int i = 0; i < 300; i++)
        {
            string reply = c.Call("RANDOMKEY");
            string name = reply.Split("\r\n")[1];
            Assert.Contains(name, names);
            seen.Add(name);
        }
        Assert.True(seen.Count > 5);
        Assert.Equal("-ERR wrong number of arguments for 'randomkey' command\r\n", c.Call("RANDOMKEY", "x"));
    }

    [Fact]
    public async Task NullRepliesUseTheResp3NullType()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.StartsWith("%", c.Call("HELLO", "3"));
        Assert.Equal("_\r\n", c.Call("RANDOMKEY"));
        Assert.Equal("_\r\n", c.Call("OBJECT", "ENCODING", "nokey"));
        Assert.Equal("_\r\n", c.Call("OBJECT", "IDLETIME", "nokey"));
        c.Call("SET", "k", "v");
        Assert.Equal("+string\r\n", c.Call("TYPE", "k"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n", c.Call("SCAN", "0"));
    }

    [Fact]
    public async Task CopyDuplicatesWithinAndAcrossDatabases()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("-ERR source and destination objects are the same\r\n", c.Call("COPY", "a", "a"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", c.Call("COPY", "nokey", "nokey"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", c.Call("COPY", "a", "a", "DB", "0"));
        Assert.Equal(":0\r\n", c.Call("COPY", "nokey", "b"));
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "b"));
        Assert.Equal(":0\r\n", c.Call("COPY", "a", "b"));
        c.Call("SET", "a", "2");
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "b"));
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "b", "REPLACE"));
        Assert.Equal("$1\r\n2\r\n", c.Call("GET", "b"));
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "a", "db", "1"));
        Assert.Equal(":0\r\n", c.Call("COPY", "a", "a", "db", "1"));
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "a", "db", "1", "replace"));
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "x", "replace", "replace", "db", "2", "db", "3"));
        Assert.Equal("+OK\r\n", c.Call("SELECT", "3"));
        Assert.Equal("$1\r\n2\r\n", c.Call("GET", "x"));
        c.Call("SELECT", "0");
        Assert.Equal(":0\r\n", c.Call("EXISTS", "x"));
        // The time to live is copied.
        c.Call("PEXPIRE", "a", "100000");
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "t"));
        Assert.InRange(long.Parse(c.Call("PTTL", "t").Trim(':', '\r', '\n')), 90000, 100000);
    }

    [Theory]
    [InlineData(new[] { "COPY", "a", "b", "db" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "COPY", "a", "b", "db", "1", "foo" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "COPY", "a", "b", "foo" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "COPY", "a", "b", "db", "16" }, "-ERR DB index is out of range\r\n")]
    [InlineData(new[] { "COPY", "a", "b", "db", "-1" }, "-ERR DB index is out of range\r\n")]
    [InlineData(new[] { "COPY", "a", "b", "db", "abc" }, "-ERR value is not an integer or out of range\r\n")]
    [InlineData(new[] { "COPY", "a", "b", "db", "99999999999" }, "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")]
    [InlineData(new[] { "COPY", "a" }, "-ERR wrong number of arguments for 'copy' command\r\n")]
    public async Task CopyErrors(string[] command, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal(expected, c.Call(command));
    }

    [Fact]
    public async Task StackExchangeRedisKeyApis()
    {
        await using var server = TestServer.Start();
        var db = server.Db();
        await db.StringSetAsync("k", "v");
        Assert.True(await db.KeyExistsAsync("k"));
        Assert.Equal(RedisType.String, await db.KeyTypeAsync("k"));
        Assert.True(await db.KeyExpireAsync("k", TimeSpan.FromSeconds(100)));
        TimeSpan? ttl = await db.KeyTimeToLiveAsync("k");
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value.TotalSeconds, 90, 100);
        Assert.True(await db.KeyRenameAsync("k", "k2"));
        Assert.True(await db.KeyPersistAsync("k2"));
        Assert.Null(await db.KeyTimeToLiveAsync("k2"));
        Assert.True(await db.KeyCopyAsync("k2", "k3"));
        Assert.Equal("v", (string?)await db.StringGetAsync("k3"));
        Assert.True(await db.KeyMoveAsync("k3", 4));
        Assert.Equal("v", (string?)await server.Db(4).StringGetAsync("k3"));
        Assert.True(await db.KeyDeleteAsync("k2"));
        Assert.False(await db.KeyExistsAsync("k2"));
        Assert.Equal("embstr", await server.Db(4).KeyEncodingAsync("k3"));
        Assert.Null(await db.KeyEncodingAsync("k3"));
    }
}
