using Amber.Tests.Infrastructure;
using Amber.Types;
using StackExchange.Redis;

namespace Amber.Tests;

public class HashCommandTests
{
    [Theory]
    [InlineData("hashes.txt")]
    [InlineData("hincrbyfloat.txt")]
    [InlineData("encodings.txt")]
    public async Task RecordedRedisSessionReplaysByteForByte(string script)
    {
        await using var server = TestServer.Start();
        RedisScript.Replay(server.Raw(), script);
    }

    [SkippableTheory]
    [InlineData("hashes.txt")]
    [InlineData("hincrbyfloat.txt")]
    [InlineData("encodings.txt")]
    public void RecordedSessionStillMatchesRealRedis(string script)
    {
        RedisScript.WithRealRedis(port =>
        {
            using var c = new RawClient(port);
            RedisScript.Replay(c, script);
        });
    }

    internal static string? Encoding(TestServer server, string key) =>
        server.Server.Databases[0].FindRaw(System.Text.Encoding.UTF8.GetBytes(key))?.Value switch
        {
            HashValue h => h.EncodingName,
            SetValue s => s.EncodingName,
            null => null,
            _ => "other",
        };

    [Fact]
    public async Task StackExchangeRedisHashRoundTrip()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        await db.HashSetAsync("user", [new("name", "ann"), new("age", "41")]);
        Assert.Equal("ann", (string?)await db.HashGetAsync("user", "name"));
        Assert.True(await db.HashExistsAsync("user", "age"));
        Assert.Equal(42, await db.HashIncrementAsync("user", "age", 1));
        Assert.Equal(2.5, await db.HashIncrementAsync("user", "score", 2.5));
        Assert.Equal(3, await db.HashLengthAsync("user"));
        HashEntry[] all = await db.HashGetAllAsync("user");
        Assert.Equal(["name=ann", "age=42", "score=2.5"], all.Select(e => $"{e.Name}={e.Value}").ToArray());
        Assert.Equal(["name", "age", "score"], (await db.HashKeysAsync("user")).Select(v => (string)v!).ToArray());
        Assert.Equal(3, (await db.HashValuesAsync("user")).Length);
        Assert.Equal(3, await db.HashStringLengthAsync("user", "name"));
        Assert.False(await db.HashSetAsync("user", "name", "bob", When.NotExists));
        Assert.True(await db.HashDeleteAsync("user", "name"));
        Assert.Equal(2, await db.HashDeleteAsync("user", ["age", "score", "nope"]));
        Assert.Null(HashCommandTests.Encoding(server, "user"));
    }

    [Fact]
    public async Task EmptiedHashIsDeleted()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        c.Call("HSET", "h", "a", "1");
        Assert.Equal(":1\r\n", c.Call("HDEL", "h", "a", "a"));
        Assert.Null(Encoding(server, "h"));
        Assert.Equal("+OK\r\n", c.Call("SET", "h", "now a string"));
    }

    [Fact]
    public async Task HashConvertsToHashTableAtTheConfiguredLimits()
    {
        await using var server = TestServer.Start(cfg =>
        {
            cfg.HashMaxListpackEntries = 4;
            cfg.HashMaxListpackValue = 8;
        });
        using RawClient c = server.Raw();
        c.Call("HSET", "h", "f1", "v", "f2", "v", "f3", "v", "f4", "v");
        Assert.Equal("listpack", Encoding(server, "h"));
        c.Call("HSET", "h", "f5", "v");
        Assert.Equal("hashtable", Encoding(server, "h"));
        Assert.Equal(":5\r\n", c.Call("HLEN", "h"));

        c.Call("HSET", "long", "f", "12345678");
        Assert.Equal("listpack", Encoding(server, "long"));
        c.Call("HSET", "long", "f", "123456789");
        Assert.Equal("hashtable", Encoding(server, "long"));

        c.Call("HINCRBY", "inc", "123456789", "1");
        Assert.Equal("hashtable", Encoding(server, "inc"));
        c.Call("HINCRBYFLOAT", "flt", "f", "1e20");
        Assert.Equal("hashtable", Encoding(server, "flt"));
        c.Call("HSETNX", "nx", "f", "123456789");
        Assert.Equal("hashtable", Encoding(server, "nx"));
    }

    [Fact]
    public async Task ManyPairsInOneHSetCrossTheLimitsMidCommandAsOneByOne()
    {
        await using var server = TestServer.Start(cfg =>
        {
            cfg.HashMaxListpackEntries = 4;
            cfg.HashMaxListpackValue = 8;
        });
        using RawClient c = server.Raw();
        // A field set twice in one command counts once and keeps its last value; the fifth new field converts.
        Assert.Equal(":5\r\n", c.Call("HSET", "h", "a", "1", "b", "2", "a", "3", "c", "4", "d", "5", "e", "6", "a", "7"));
        Assert.Equal("hashtable", Encoding(server, "h"));
        Assert.Equal("*10\r\n$1\r\na\r\n$1\r\n7\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n6\r\n",
            SortedPairs(c, "h"));
        // A value over the length limit in the middle converts; the pairs after it still land.
        Assert.Equal(":3\r\n", c.Call("HSET", "v", "x", "1", "y", "123456789", "z", "3", "x", "4"));
        Assert.Equal("hashtable", Encoding(server, "v"));
        Assert.Equal("$1\r\n4\r\n", c.Call("HGET", "v", "x"));
        Assert.Equal("$9\r\n123456789\r\n", c.Call("HGET", "v", "y"));
        // Within the limits, a batch with a value changing size stays a listpack with every value right.
        Assert.Equal(":2\r\n", c.Call("HSET", "p", "k", "1", "m", "2", "k", "longer", "m", "3"));
        Assert.Equal("listpack", Encoding(server, "p"));
        Assert.Equal("*2\r\n$6\r\nlonger\r\n$1\r\n3\r\n", c.Call("HMGET", "p", "k", "m"));
    }

    private static string SortedPairs(RawClient c, string key)
    {
        string[] lines = c.Call("HGETALL", key).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var pairs = new List<(string Field, string Value)>();
        for (int i = 1; i + 3 < lines.Length; i += 4)
        {
            pairs.Add((lines[i + 1], lines[i + 3]));
        }
        pairs.Sort((x, y) => string.CompareOrdinal(x.Field, y.Field));
        var text = new System.Text.StringBuilder($"*{pairs.Count * 2}\r\n");
        foreach ((string f, string v) in pairs)
        {
            text.Append($"${f.Length}\r\n{f}\r\n${v.Length}\r\n{v}\r\n");
        }
        return text.ToString();
    }

    [Fact]
    public async Task HScanOfAHashTableVisitsEveryFieldOnceWithCursors()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        var entries = Enumerable.Range(0, 1000).Select(i => new HashEntry("f" + i, "v" + i)).ToArray();
        await db.HashSetAsync("big", entries);
        Assert.Equal("hashtable", Encoding(server, "big"));
        var seen = new Dictionary<string, string>();
        foreach (HashEntry e in db.HashScan("big", pageSize: 37))
        {
            seen[(string)e.Name!] = (string)e.Value!;
        }
        Assert.Equal(1000, seen.Count);
        Assert.Equal("v777", seen["f777"]);
        var matched = db.HashScan("big", "f99*").Select(e => (string)e.Name!).Order().ToArray();
        Assert.Equal(["f99", "f990", "f991", "f992", "f993", "f994", "f995", "f996", "f997", "f998", "f999"], matched);
    }

    [Fact]
    public async Task HScanWithDefaultCountReturnsAboutTenFieldsAndACursor()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        for (int i = 0; i < 600; i++)
        {
            c.Call("HSET", "big", "f" + i, "v");
        }
        string reply = c.Call("HSCAN", "big", "0");
        Assert.StartsWith("*2\r\n$", reply);
        Assert.DoesNotContain("*2\r\n$1\r\n0\r\n", reply);
        string[] lines = reply.Split("\r\n");
        int elements = int.Parse(lines[3][1..]);
        Assert.True(elements >= 20 && elements % 2 == 0, reply);
    }

    [Fact]
    public async Task HRandFieldCountsAndShapes()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        var entries = Enumerable.Range(0, 300).Select(i => new HashEntry("f" + i, "v" + i)).ToArray();
        await db.HashSetAsync("big", entries);
        await db.HashSetAsync("small", entries[..5]);
        foreach (string key in new[] { "big", "small" })
        {
            RedisValue[] distinct = await db.HashRandomFieldsAsync(key, 4);
            Assert.Equal(4, distinct.Distinct().Count());
            Assert.Equal(40, (await db.HashRandomFieldsAsync(key, -40)).Length);
            HashEntry[] pairs = await db.HashRandomFieldsWithValuesAsync(key, 3);
            Assert.Equal(3, pairs.Length);
            Assert.All(pairs, p => Assert.Equal(((string)p.Name!)[1..], ((string)p.Value!)[1..]));
            RedisValue one = await db.HashRandomFieldAsync(key);
            Assert.StartsWith("f", (string)one!);
        }
        Assert.Equal(300, (await db.HashRandomFieldsAsync("big", 1000)).Distinct().Count());
        Assert.Equal(250, (await db.HashRandomFieldsAsync("big", 250)).Distinct().Count());
        Assert.Equal(5, (await db.HashRandomFieldsAsync("small", 5)).Distinct().Count());
    }

    [Fact]
    public async Task Resp3ShapesOfHGetAllAndHRandField()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        SetResp3(server, c);
        c.Call("HSET", "h", "a", "1");
        Assert.Equal("%1\r\n$1\r\na\r\n$1\r\n1\r\n", c.Call("HGETALL", "h"));
        Assert.Equal("%0\r\n", c.Call("HGETALL", "nokey"));
        Assert.Equal("*1\r\n$1\r\na\r\n", c.Call("HKEYS", "h"));
        Assert.Equal("*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", c.Call("HRANDFIELD", "h", "1", "WITHVALUES"));
        Assert.Equal("*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", c.Call("HRANDFIELD", "h", "-2", "withvalues"));
        Assert.Equal("*1\r\n$1\r\na\r\n", c.Call("HRANDFIELD", "h", "1"));
        Assert.Equal("_\r\n", c.Call("HRANDFIELD", "nokey"));
        Assert.Equal("*0\r\n", c.Call("HRANDFIELD", "nokey", "1", "withvalues"));
        Assert.Equal("*2\r\n$1\r\n1\r\n_\r\n", c.Call("HMGET", "h", "a", "b"));
        Assert.Equal("_\r\n", c.Call("HGET", "h", "b"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", c.Call("HSCAN", "h", "0"));
    }

    /// <summary>Switches a raw connection to RESP3.</summary>
    internal static void SetResp3(TestServer server, RawClient c)
    {
        _ = server;
        Assert.StartsWith("%", c.Call("HELLO", "3"));
    }

    [Fact]
    public async Task ConfigSetChangesTheEncodingLimits()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "hash-max-listpack-entries", "2", "hash-max-listpack-value", "3", "set-max-intset-entries", "2"));
        Assert.Equal("*2\r\n$24\r\nhash-max-ziplist-entries\r\n$1\r\n2\r\n", c.Call("CONFIG", "GET", "hash-max-ziplist-entries"));
        c.Call("HSET", "h", "a", "1", "b", "2");
        Assert.Equal("listpack", Encoding(server, "h"));
        c.Call("HSET", "h", "c", "3");
        Assert.Equal("hashtable", Encoding(server, "h"));
        c.Call("HSET", "v", "a", "1234");
        Assert.Equal("hashtable", Encoding(server, "v"));
        c.Call("SADD", "s", "1", "2");
        Assert.Equal("intset", Encoding(server, "s"));
        c.Call("SADD", "s", "3");
        Assert.Equal("hashtable", Encoding(server, "s"));
    }

    [Fact]
    public async Task WriteCommandsCreateTheKeyInTheSelectedDatabase()
    {
        await using var server = TestServer.Start();
        IDatabase db3 = server.Db(3);
        await db3.HashSetAsync("h", "f", "v");
        await db3.HashIncrementAsync("i", "f", 1);
        await db3.HashIncrementAsync("d", "f", 1.5);
        Assert.NotNull(server.Server.Databases[3].FindRaw(System.Text.Encoding.UTF8.GetBytes("h")));
        Assert.Null(server.Server.Databases[0].FindRaw(System.Text.Encoding.UTF8.GetBytes("h")));
        Assert.Equal(3, server.Server.Databases[3].Count);
    }

    [Fact]
    public async Task BinaryFieldsAndValuesRoundTrip()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        byte[] field = [0, 1, 2, 255, 13, 10];
        byte[] value = new byte[100];
        new Random(5).NextBytes(value);
        await db.HashSetAsync("bin", field, value);
        await db.HashSetAsync("bin", "x", "y");
        Assert.Equal(value, (byte[]?)await db.HashGetAsync("bin", field));
        Assert.Equal("hashtable", Encoding(server, "bin"));
    }

    [Fact]
    public async Task HIncrByFloatUsesLongDoublePrecisionLikeRedis()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        using RawClient c = server.Raw();
        Assert.Equal("$4\r\n10.5\r\n", c.Call("HINCRBYFLOAT", "h", "f", "10.5"));
        Assert.Equal("$4\r\n10.6\r\n", c.Call("HINCRBYFLOAT", "h", "f", "0.1"));
        for (int i = 0; i < 9; i++)
        {
            c.Call("HINCRBYFLOAT", "h", "g", "0.1");
        }
        Assert.Equal("$1\r\n1\r\n", c.Call("HINCRBYFLOAT", "h", "g", "0.1"));
        // What StackExchange.Redis sends for 0.1 (17 significant digits) is a different number, as in Redis.
        Assert.Equal(10.5, await db.HashIncrementAsync("h2", "f", 10.5));
        await db.HashIncrementAsync("h2", "f", 0.1);
        Assert.Equal("10.60000000000000001", (string?)await db.HashGetAsync("h2", "f"));
    }

    [Fact]
    public void SetFlagsAndKeysMatchRedis()
    {
        var table = Amber.Commands.CommandRegistry.Build();
        var hset = table.Find("hset")!;
        Assert.Equal(-4, hset.Arity);
        Assert.Equal(["write", "hash", "fast"], hset.Categories);
        var hgetall = table.Find("HGETALL")!;
        Assert.Equal(["read", "hash", "slow"], hgetall.Categories);
        Assert.Equal((1, 1, 1), (hgetall.FirstKey, hgetall.LastKey, hgetall.Step));
    }

}
