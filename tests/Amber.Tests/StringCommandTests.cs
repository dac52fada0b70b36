using Amber.Keyspace;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>GET SET (all options) SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND STRLEN GETRANGE SETRANGE SUBSTR.</summary>
public class StringCommandTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    private const string Syntax = "-ERR syntax error\r\n";
    private const string NotInteger = "-ERR value is not an integer or out of range\r\n";

    /// <summary>Puts a non-string value under a key (no other type's commands exist on this branch).</summary>
    internal static void AddNonString(TestServer server, string key)
    {
        lock (server.Server.KeyspaceLock)
        {
            server.Server.Databases[0].Add(System.Text.Encoding.UTF8.GetBytes(key), new Amber.Types.HashValue());
        }
    }

    internal static Entry? Entry(TestServer server, string key)
    {
        lock (server.Server.KeyspaceLock)
        {
            return server.Server.Databases[0].FindRaw(System.Text.Encoding.UTF8.GetBytes(key));
        }
    }

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task SetAndGetThroughStackExchangeRedis()
    {
        await using var server = TestServer.Start();
        var db = server.Db();
        Assert.True(await db.StringSetAsync("k", "v"));
        Assert.Equal("v", (string?)await db.StringGetAsync("k"));
        Assert.True((await db.StringGetAsync("missing")).IsNull);
        Assert.False(await db.StringSetAsync("k", "w", when: When.NotExists));
        Assert.True(await db.StringSetAsync("k", "w", when: When.Exists));
        Assert.False(await db.StringSetAsync("nope", "w", when: When.Exists));
        Assert.True(await db.StringSetAsync("ttl", "x", TimeSpan.FromSeconds(100)));
        Assert.Equal("w", (string?)await db.StringSetAndGetAsync("k", "z"));
        Assert.Equal("z", (string?)await db.StringGetDeleteAsync("k"));
        Assert.True((await db.StringGetAsync("k")).IsNull);
        byte[] binary = [0, 255, 13, 10, 1];
        await db.StringSetAsync("bin", binary);
        Assert.Equal(binary, (byte[]?)await db.StringGetAsync("bin"));
    }

    [Theory]
    [InlineData(new[] { "SET", "k", "v", "nx", "xx" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "XX", "NX" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "ex", "10", "px", "10" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "ex", "10", "exat", "10" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "pxat", "10", "px", "10" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "keepttl", "ex", "10" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "ex", "10", "keepttl" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "ex" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "foo" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "persist" }, Syntax)]
    [InlineData(new[] { "SET", "k", "v", "ex", "abc" }, NotInteger)]
    [InlineData(new[] { "SET", "k", "v", "px", "1.5" }, NotInteger)]
    [InlineData(new[] { "SET", "k", "v", "ex", "0" }, "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData(new[] { "SET", "k", "v", "ex", "-1" }, "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData(new[] { "SET", "k", "v", "exat", "0" }, "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData(new[] { "SET", "k", "v", "px", "9223372036854775807" }, "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData(new[] { "SET", "k", "v", "ex", "9223372036854775" }, "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData(new[] { "SET", "k", "v", "exat", "9223372036854776" }, "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData(new[] { "SET", "k", "v", "exat", "9223372036854775" }, "+OK\r\n")]
    [InlineData(new[] { "SET", "k", "v", "pxat", "9223372036854775807" }, "+OK\r\n")]
    [InlineData(new[] { "SET", "k", "v", "ex", "10", "ex", "20" }, "+OK\r\n")]
    [InlineData(new[] { "SET", "k", "v", "nx", "get" }, "$-1\r\n")]
    [InlineData(new[] { "SET", "k", "v", "xx", "get" }, "$-1\r\n")]
    [InlineData(new[] { "SET", "k", "v", "Xx" }, "$-1\r\n")]
    [InlineData(new[] { "SET", "k" }, "-ERR wrong number of arguments for 'set' command\r\n")]
    [InlineData(new[] { "SETEX", "k", "0", "v" }, "-ERR invalid expire time in 'setex' command\r\n")]
    [InlineData(new[] { "SETEX", "k", "abc", "v" }, NotInteger)]
    [InlineData(new[] { "SETEX", "k", "9223372036854776", "v" }, "-ERR invalid expire time in 'setex' command\r\n")]
    [InlineData(new[] { "PSETEX", "k", "-5", "v" }, "-ERR invalid expire time in 'psetex' command\r\n")]
    [InlineData(new[] { "PSETEX", "k", "9223372036854775807", "v" }, "-ERR invalid expire time in 'psetex' command\r\n")]
    [InlineData(new[] { "SETNX", "k", "v" }, ":1\r\n")]
    [InlineData(new[] { "GETEX", "k", "persist", "ex", "10" }, Syntax)]
    [InlineData(new[] { "GETEX", "k", "ex", "10", "persist" }, Syntax)]
    [InlineData(new[] { "GETEX", "k", "nx" }, Syntax)]
    [InlineData(new[] { "GETEX", "k", "keepttl" }, Syntax)]
    [InlineData(new[] { "GETEX", "k", "get" }, Syntax)]
    [InlineData(new[] { "GETEX", "k", "ex" }, Syntax)]
    [InlineData(new[] { "GETEX", "k", "ex", "-5" }, "$-1\r\n")]
    [InlineData(new[] { "MSET", "a" }, "-ERR wrong number of arguments for 'mset' command\r\n")]
    [InlineData(new[] { "MSET", "a", "b", "c" }, "-ERR wrong number of arguments for 'mset' command\r\n")]
    [InlineData(new[] { "MSETNX", "a", "b", "c" }, "-ERR wrong number of arguments for 'msetnx' command\r\n")]
    [InlineData(new[] { "GETRANGE", "k", "a", "1" }, NotInteger)]
    [InlineData(new[] { "GETRANGE", "k", "0", "1" }, "$0\r\n\r\n")]
    [InlineData(new[] { "SETRANGE", "k", "-1", "x" }, "-ERR offset is out of range\r\n")]
    [InlineData(new[] { "SETRANGE", "k", "a", "x" }, NotInteger)]
    [InlineData(new[] { "SETRANGE", "k", "9223372036854775807", "x" }, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n")]
    [InlineData(new[] { "SETRANGE", "k", "5", "" }, ":0\r\n")]
    [InlineData(new[] { "STRLEN", "k" }, ":0\r\n")]
    [InlineData(new[] { "GETDEL", "k" }, "$-1\r\n")]
    [InlineData(new[] { "GETSET", "k", "v" }, "$-1\r\n")]
    public async Task RepliesOnAnEmptyDatabaseMatchRedis(string[] command, string expected)
    {
        await using var server = TestServer.Start();
        Assert.Equal(expected, server.Raw().Call(command));
    }

    [Fact]
    public async Task SetConditionsAndGetOption()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "v"));
        Assert.Equal("$1\r\nv\r\n", c.Call("SET", "k", "v2", "GET"));
        Assert.Equal("$2\r\nv2\r\n", c.Call("SET", "k", "v3", "XX", "GET"));
        Assert.Equal("$-1\r\n", c.Call("SET", "k", "v4", "NX"));
        Assert.Equal("$2\r\nv3\r\n", c.Call("SET", "k", "v4", "NX", "GET"));
        Assert.Equal("$2\r\nv3\r\n", c.Call("GET", "k"));
        Assert.Equal("$-1\r\n", c.Call("SET", "new", "x", "GET"));
        Assert.Equal("$1\r\nx\r\n", c.Call("GET", "new"));
        Assert.Equal(":0\r\n", c.Call("SETNX", "k", "z"));
        Assert.Equal(":1\r\n", c.Call("SETNX", "other", "z"));
    }

    [Fact]
    public async Task NonStringKeysGiveWrongTypeWhereRedisDoes()
    {
        await using var server = TestServer.Start();
        AddNonString(server, "h");
        var c = server.Raw();
        foreach (string[] command in new[]
        {
            new[] { "GET", "h" }, ["SET", "h", "v", "GET"], ["SET", "h", "v", "NX", "GET"], ["GETSET", "h", "v"],
            ["GETDEL", "h"], ["GETEX", "h"], ["GETEX", "h", "ex", "0"], ["APPEND", "h", "x"], ["STRLEN", "h"],
            ["GETRANGE", "h", "0", "1"], ["SUBSTR", "h", "0", "1"], ["SETRANGE", "h", "0", "x"], ["SETRANGE", "h", "0", ""],
        })
        {
            Assert.Equal(WrongType, c.Call(command));
        }
        Assert.Equal(Syntax, c.Call("GETEX", "h", "foo"));
        Assert.Equal(NotInteger, c.Call("GETRANGE", "h", "a", "1"));
        Assert.Equal("-ERR offset is out of range\r\n", c.Call("SETRANGE", "h", "-1", "x"));
        Assert.Equal("*2\r\n$-1\r\n$-1\r\n", c.Call("MGET", "h", "missing"));
        Assert.Equal(":0\r\n", c.Call("MSETNX", "h", "1"));
        Assert.Equal(":0\r\n", c.Call("SETNX", "h", "1"));
        Assert.Equal("$-1\r\n", c.Call("SET", "h", "1", "NX"));
        // A plain SET replaces any type.
        Assert.Equal("+OK\r\n", c.Call("SET", "h", "1"));
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "h"));
    }

    [Fact]
    public async Task SetExpiryOptionsStoreAbsoluteTimes()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        long before = NowMs;
        Assert.Equal("+OK\r\n", c.Call("SET", "ex", "v", "EX", "100"));
        Assert.Equal("+OK\r\n", c.Call("SET", "px", "v", "PX", "100000"));
        Assert.Equal("+OK\r\n", c.Call("SET", "exat", "v", "EXAT", "99999999999"));
        Assert.Equal("+OK\r\n", c.Call("SET", "pxat", "v", "PXAT", "99999999999999"));
        Assert.Equal("+OK\r\n", c.Call("SETEX", "setex", "100", "v"));
        Assert.Equal("+OK\r\n", c.Call("PSETEX", "psetex", "100000", "v"));
        long after = NowMs;
        foreach (string key in new[] { "ex", "px", "setex", "psetex" })
        {
            long at = Entry(server, key)!.ExpireAtMs;
            Assert.InRange(at, before + 100_000, after + 100_000);
        }
        Assert.Equal(99999999999000, Entry(server, "exat")!.ExpireAtMs);
        Assert.Equal(99999999999999, Entry(server, "pxat")!.ExpireAtMs);

        // KEEPTTL keeps it; a plain SET, GETSET and SET with another expiry replace it.
        Assert.Equal("+OK\r\n", c.Call("SET", "pxat", "w", "KEEPTTL"));
        Assert.Equal(99999999999999, Entry(server, "pxat")!.ExpireAtMs);
        Assert.Equal("+OK\r\n", c.Call("SET", "pxat", "w"));
        Assert.False(Entry(server, "pxat")!.HasExpiry);
        Assert.Equal("$1\r\nv\r\n", c.Call("GETSET", "exat", "w"));
        Assert.False(Entry(server, "exat")!.HasExpiry);
        Assert.Equal("+OK\r\n", c.Call("SET", "ex", "v", "EX", "10", "EX", "20"));
        Assert.InRange(Entry(server, "ex")!.ExpireAtMs, before + 20_000, NowMs + 20_000);
    }

    [Fact]
    public async Task SetWithAnExpiryInThePastLeavesAKeyThatIsGoneOnAccess()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "v", "EXAT", "1"));
        Assert.Equal("+OK\r\n", c.Call("SET", "p", "v", "PXAT", "1"));
        Assert.Equal("$-1\r\n", c.Call("GET", "k"));
        Assert.Equal("$-1\r\n", c.Call("GETEX", "p"));
        Assert.Equal(2, server.Server.Stats.ExpiredKeys);
    }

    [Fact]
    public async Task GetExChangesOrRemovesTheExpiry()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k"));
        Assert.False(Entry(server, "k")!.HasExpiry);
        long before = NowMs;
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "EX", "100"));
        Assert.InRange(Entry(server, "k")!.ExpireAtMs, before + 100_000, NowMs + 100_000);
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "px", "5000"));
        Assert.InRange(Entry(server, "k")!.ExpireAtMs, before + 5000, NowMs + 5000);
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "exat", "99999999999"));
        Assert.Equal(99999999999000, Entry(server, "k")!.ExpireAtMs);
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "pxat", "99999999999999"));
        Assert.Equal(99999999999999, Entry(server, "k")!.ExpireAtMs);
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "PERSIST"));
        Assert.False(Entry(server, "k")!.HasExpiry);

        Assert.Equal("-ERR invalid expire time in 'getex' command\r\n", c.Call("GETEX", "k", "ex", "0"));
        Assert.Equal("-ERR invalid expire time in 'getex' command\r\n", c.Call("GETEX", "k", "px", "9223372036854775807"));
        Assert.Equal(NotInteger, c.Call("GETEX", "k", "ex", "abc"));
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "exat", "9223372036854775"));

        // An absolute time already past deletes the key at once (the value is still returned).
        Assert.Equal("$1\r\nv\r\n", c.Call("GETEX", "k", "pxat", "1"));
        Assert.Null(Entry(server, "k"));
        Assert.Equal("$-1\r\n", c.Call("GETEX", "k"));
    }

    [Fact]
    public async Task MultiKeyCommands()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("MSET", "a", "1", "b", "2", "a", "3"));
        Assert.Equal("*3\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n", c.Call("MGET", "a", "b", "c"));
        Assert.Equal(":0\r\n", c.Call("MSETNX", "c", "x", "a", "y"));
        Assert.Equal("$-1\r\n", c.Call("GET", "c"));
        Assert.Equal(":1\r\n", c.Call("MSETNX", "c", "x", "d", "y"));
        Assert.Equal("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", c.Call("MGET", "c", "d"));
        Assert.Equal("-ERR wrong number of arguments for 'mget' command\r\n", c.Call("MGET"));

        var db = server.Db();
        Assert.True(await db.StringSetAsync([new("x", "1"), new("y", "2")]));
        Assert.False(await db.StringSetAsync([new("x", "1"), new("z", "2")], When.NotExists));
        RedisValue[] values = await db.StringGetAsync(["x", "y", "z"]);
        Assert.Equal(["1", "2", RedisValue.Null], values);
    }

    [Fact]
    public async Task MSetDropsTheTimeToLive()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "a", "1", "EX", "100");
        c.Call("MSET", "a", "2");
        Assert.False(Entry(server, "a")!.HasExpiry);
    }

    [Fact]
    public async Task GetDelRemovesTheKey()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal("$1\r\nv\r\n", c.Call("GETDEL", "k"));
        Assert.Equal("$-1\r\n", c.Call("GETDEL", "k"));
        Assert.Null(Entry(server, "k"));
    }

    [Fact]
    public async Task AppendStrlenAndEncoding()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal(":5\r\n", c.Call("APPEND", "k", "hello"));
        Assert.False(Entry(server, "k")!.ForceRawEncoding); // a new key is encoded as SET would
        Assert.Equal(":11\r\n", c.Call("APPEND", "k", " world"));
        Assert.True(Entry(server, "k")!.ForceRawEncoding);
        Assert.Equal("$11\r\nhello world\r\n", c.Call("GET", "k"));
        Assert.Equal(":11\r\n", c.Call("STRLEN", "k"));
        Assert.Equal(":11\r\n", c.Call("APPEND", "k", ""));
        Assert.Equal(":0\r\n", c.Call("STRLEN", "missing"));
        Assert.Equal(":0\r\n", c.Call("APPEND", "empty", ""));
        Assert.Equal("$0\r\n\r\n", c.Call("GET", "empty"));

        c.Call("SET", "t", "v", "EX", "100");
        c.Call("APPEND", "t", "w");
        Assert.True(Entry(server, "t")!.HasExpiry);
        c.Call("SET", "k", "x");
        Assert.False(Entry(server, "k")!.ForceRawEncoding);
    }

    [Theory]
    [InlineData("0", "-1", "hello world")]
    [InlineData("-3", "-1", "rld")]
    [InlineData("5", "2", "")]
    [InlineData("-1", "-5", "")]
    [InlineData("100", "200", "")]
    [InlineData("-100", "3", "hell")]
    [InlineData("0", "9223372036854775807", "hello world")]
    [InlineData("-9223372036854775808", "9223372036854775807", "hello world")]
    [InlineData("4", "4", "o")]
    public async Task GetRangeAndSubstr(string start, string end, string expected)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "k", "hello world");
        string reply = $"${expected.Length}\r\n{expected}\r\n";
        Assert.Equal(reply, c.Call("GETRANGE", "k", start, end));
        Assert.Equal(reply, c.Call("SUBSTR", "k", start, end));
    }

    [Fact]
    public async Task GetRangeOfAnEmptyStringIsEmpty()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("APPEND", "e", "");
        Assert.Equal("$0\r\n\r\n", c.Call("GETRANGE", "e", "0", "-1"));
        c.Call("SET", "n", "12345");
        Assert.Equal("$3\r\n234\r\n", c.Call("GETRANGE", "n", "1", "3"));
    }

    [Fact]
    public async Task SetRangePadsWithZerosAndMarksTheValueRaw()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal(":8\r\n", c.Call("SETRANGE", "k", "5", "abc"));
        Assert.Equal("$8\r\n\0\0\0\0\0abc\r\n", c.Call("GET", "k"));
        Assert.True(Entry(server, "k")!.ForceRawEncoding);
        Assert.Equal(":8\r\n", c.Call("SETRANGE", "k", "0", ""));
        Assert.Equal(":8\r\n", c.Call("SETRANGE", "k", "1", "XY"));
        Assert.Equal("$8\r\n\0XY\0\0abc\r\n", c.Call("GET", "k"));
        Assert.Equal(":0\r\n", c.Call("SETRANGE", "none", "3", ""));
        Assert.Null(Entry(server, "none"));

        c.Call("SET", "t", "hello", "PX", "100000");
        Assert.Equal(":11\r\n", c.Call("SETRANGE", "t", "6", "world"));
        Assert.Equal("$11\r\nhello\0world\r\n", c.Call("GET", "t"));
        Assert.True(Entry(server, "t")!.HasExpiry);
    }

    [Fact]
    public async Task StringGrowthObeysProtoMaxBulkLen()
    {
        await using var server = TestServer.Start(cfg => cfg.ProtoMaxBulkLen = 1048576);
        var c = server.Raw();
        const string TooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
        Assert.Equal(":1048576\r\n", c.Call("SETRANGE", "k", "1048575", "x"));
        Assert.Equal(TooLong, c.Call("SETRANGE", "k", "1048576", "x"));
        Assert.Equal(TooLong, c.Call("SETRANGE", "k2", "1048575", "xy"));
        Assert.Null(Entry(server, "k2"));
        Assert.Equal(":1048576\r\n", c.Call("APPEND", "k", ""));
        Assert.Equal(TooLong, c.Call("APPEND", "k", "x"));
        Assert.Equal(":1048576\r\n", c.Call("STRLEN", "k"));
    }

    [Fact]
    public async Task ReadCommandsCountKeyspaceHitsAndMissesWritesDoNot()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "k", "v");
        var stats = server.Server.Stats;
        long hits = stats.KeyspaceHits, misses = stats.KeyspaceMisses;
        c.Call("GET", "k");
        c.Call("GET", "nope");
        c.Call("MGET", "k", "nope", "nope2");
        c.Call("STRLEN", "k");
        Assert.Equal(hits + 3, stats.KeyspaceHits);
        Assert.Equal(misses + 3, stats.KeyspaceMisses);
        c.Call("APPEND", "k", "x");
        c.Call("INCR", "counter");
        c.Call("SETRANGE", "k", "0", "y");
        c.Call("SET", "k", "z", "NX");
        Assert.Equal(hits + 3, stats.KeyspaceHits);
        Assert.Equal(misses + 3, stats.KeyspaceMisses);
        c.Call("SET", "k", "w", "GET");
        Assert.Equal(hits + 4, stats.KeyspaceHits);
    }

    [Fact]
    public async Task ErrorsAreCountedInErrorStats()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        AddNonString(server, "h");
        c.Call("SET", "k", "v", "foo");
        c.Call("GET", "h");
        Assert.Equal(1, server.Server.Stats.ErrorsByCode["ERR"]);
        Assert.Equal(1, server.Server.Stats.ErrorsByCode["WRONGTYPE"]);
    }

    [Fact]
    public async Task CommandTableHasRedisMetadata()
    {
        await using var server = TestServer.Start();
        var table = server.Server.Commands;
        (string Name, int Arity, int First, int Last, int Step, string Categories)[] expected =
        [
            ("get", 2, 1, 1, 1, "read string fast"), ("set", -3, 1, 1, 1, "write string slow"),
            ("setnx", 3, 1, 1, 1, "write string fast"), ("setex", 4, 1, 1, 1, "write string slow"),
            ("psetex", 4, 1, 1, 1, "write string slow"), ("mget", -2, 1, -1, 1, "read string fast"),
            ("mset", -3, 1, -1, 2, "write string slow"), ("msetnx", -3, 1, -1, 2, "write string slow"),
            ("getset", 3, 1, 1, 1, "write string fast"), ("getdel", 2, 1, 1, 1, "write string fast"),
            ("getex", -2, 1, 1, 1, "write string fast"), ("append", 3, 1, 1, 1, "write string fast"),
            ("strlen", 2, 1, 1, 1, "read string fast"), ("getrange", 4, 1, 1, 1, "read string slow"),
            ("setrange", 4, 1, 1, 1, "write string slow"), ("substr", 4, 1, 1, 1, "read string slow"),
            ("incr", 2, 1, 1, 1, "write string fast"), ("decr", 2, 1, 1, 1, "write string fast"),
            ("incrby", 3, 1, 1, 1, "write string fast"), ("decrby", 3, 1, 1, 1, "write string fast"),
            ("incrbyfloat", 3, 1, 1, 1, "write string fast"), ("setbit", 4, 1, 1, 1, "write bitmap slow"),
            ("getbit", 3, 1, 1, 1, "read bitmap fast"), ("bitcount", -2, 1, 1, 1, "read bitmap slow"),
            ("bitpos", -3, 1, 1, 1, "read bitmap slow"), ("bitop", -4, 2, -1, 1, "write bitmap slow"),
            ("bitfield", -2, 1, 1, 1, "write bitmap slow"), ("bitfield_ro", -2, 1, 1, 1, "read bitmap fast"),
            ("lcs", -3, 1, 2, 1, "read string slow"),
        ];
        foreach (var e in expected)
        {
            var spec = table.Find(e.Name);
            Assert.NotNull(spec);
            Assert.Equal(e.Arity, spec.Arity);
            Assert.Equal((e.First, e.Last, e.Step), (spec.FirstKey, spec.LastKey, spec.Step));
            Assert.Equal(e.Categories, string.Join(' ', spec.Categories));
        }
    }
}
