using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

public class SetCommandTests
{
    [Fact]
    public async Task RecordedRedisSessionReplaysByteForByte()
    {
        await using var server = TestServer.Start();
        RedisScript.Replay(server.Raw(), "sets.txt");
    }

    [SkippableFact]
    public void RecordedSessionStillMatchesRealRedis()
    {
        RedisScript.WithRealRedis(port =>
        {
            using var c = new RawClient(port);
            RedisScript.Replay(c, "sets.txt");
        });
    }

    private static string? Encoding(TestServer server, string key) => HashCommandTests.Encoding(server, key);

    [Fact]
    public async Task StackExchangeRedisSetRoundTrip()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        Assert.Equal(3, await db.SetAddAsync("s", ["a", "b", "c"]));
        Assert.False(await db.SetAddAsync("s", "a"));
        Assert.True(await db.SetContainsAsync("s", "b"));
        bool[] contains = await db.SetContainsAsync("s", ["a", "z"]);
        Assert.Equal([true, false], contains);
        Assert.Equal(3, await db.SetLengthAsync("s"));
        Assert.Equal(["a", "b", "c"], (await db.SetMembersAsync("s")).Select(v => (string)v!).Order().ToArray());
        Assert.True(await db.SetMoveAsync("s", "t", "a"));
        Assert.Equal(["a"], (await db.SetMembersAsync("t")).Select(v => (string)v!).ToArray());
        await db.SetAddAsync("u", ["b", "x"]);
        Assert.Equal(["b"], (await db.SetCombineAsync(SetOperation.Intersect, "s", "u")).Select(v => (string)v!).ToArray());
        Assert.Equal(["b", "c", "x"], (await db.SetCombineAsync(SetOperation.Union, "s", "u")).Select(v => (string)v!).Order().ToArray());
        Assert.Equal(["c"], (await db.SetCombineAsync(SetOperation.Difference, "s", "u")).Select(v => (string)v!).ToArray());
        Assert.Equal(1, await db.SetCombineAndStoreAsync(SetOperation.Intersect, "dst", "s", "u"));
        Assert.Equal(1, await db.SetIntersectionLengthAsync(["s", "u"]));
        Assert.Equal(2, await db.SetRemoveAsync("s", ["b", "c", "zz"]));
        Assert.Null(HashCommandTests.Encoding(server, "s"));
        RedisValue popped = await db.SetPopAsync("u");
        Assert.Contains((string)popped!, new[] { "b", "x" });
        Assert.Single(await db.SetPopAsync("u", 5));
        Assert.Null(HashCommandTests.Encoding(server, "u"));
    }

    [Fact]
    public async Task EncodingsFollowRedis70Rules()
    {
        await using var server = TestServer.Start(cfg => cfg.SetMaxIntsetEntries = 3);
        using RawClient c = server.Raw();
        c.Call("SADD", "ints", "1", "2", "3");
        Assert.Equal("intset", Encoding(server, "ints"));
        c.Call("SADD", "ints", "4");
        Assert.Equal("hashtable", Encoding(server, "ints"));
        c.Call("SADD", "mixed", "1");
        Assert.Equal("intset", Encoding(server, "mixed"));
        c.Call("SADD", "mixed", "x");
        Assert.Equal("hashtable", Encoding(server, "mixed"));
        c.Call("SADD", "words", "x");
        Assert.Equal("hashtable", Encoding(server, "words"));
        c.Call("SADD", "a", "1", "2");
        c.Call("SADD", "b", "2", "3");
        c.Call("SINTERSTORE", "dst", "a", "b");
        Assert.Equal("intset", Encoding(server, "dst"));
        c.Call("SMOVE", "words", "fresh", "x");
        Assert.Equal("hashtable", Encoding(server, "fresh"));
        Assert.Null(Encoding(server, "words"));
    }

    [Fact]
    public async Task SPopAndSRandMemberOnLargeSets()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        RedisValue[] members = Enumerable.Range(0, 2000).Select(i => (RedisValue)("m" + i)).ToArray();
        await db.SetAddAsync("big", members);
        Assert.Equal(100, (await db.SetRandomMembersAsync("big", 100)).Distinct().Count());
        Assert.Equal(1500, (await db.SetRandomMembersAsync("big", 1500)).Distinct().Count());
        Assert.Equal(5000, (await db.SetRandomMembersAsync("big", -5000)).Length);
        Assert.Equal(2000, (await db.SetRandomMembersAsync("big", 3000)).Distinct().Count());
        RedisValue[] popped = await db.SetPopAsync("big", 1990);
        Assert.Equal(1990, popped.Distinct().Count());
        Assert.Equal(10, await db.SetLengthAsync("big"));
        foreach (RedisValue v in popped.Take(50))
        {
            Assert.False(await db.SetContainsAsync("big", v));
        }
        Assert.Equal(10, (await db.SetPopAsync("big", 10)).Length);
        Assert.Null(HashCommandTests.Encoding(server, "big"));

        await db.SetAddAsync("ints", Enumerable.Range(0, 100).Select(i => (RedisValue)i).ToArray());
        Assert.Equal(60, (await db.SetPopAsync("ints", 60)).Distinct().Count());
        Assert.Equal(40, await db.SetLengthAsync("ints"));
    }

    [Fact]
    public async Task SScanOfAHashTableVisitsEveryMember()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        await db.SetAddAsync("big", Enumerable.Range(0, 1000).Select(i => (RedisValue)("m" + i)).ToArray());
        var seen = new HashSet<string>();
        foreach (RedisValue v in db.SetScan("big", pageSize: 50))
        {
            seen.Add((string)v!);
        }
        Assert.Equal(1000, seen.Count);
        Assert.Equal(11, db.SetScan("big", "m99*").Count());
    }

    [Fact]
    public async Task Resp3Shapes()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        HashCommandTests.SetResp3(server, c);
        c.Call("SADD", "s", "x");
        Assert.Equal("~1\r\n$1\r\nx\r\n", c.Call("SMEMBERS", "s"));
        Assert.Equal("~0\r\n", c.Call("SMEMBERS", "nokey"));
        Assert.Equal("~1\r\n$1\r\nx\r\n", c.Call("SINTER", "s"));
        Assert.Equal("~1\r\n$1\r\nx\r\n", c.Call("SUNION", "s"));
        Assert.Equal("~1\r\n$1\r\nx\r\n", c.Call("SDIFF", "s"));
        Assert.Equal("~0\r\n", c.Call("SINTER", "nokey"));
        Assert.Equal("*1\r\n$1\r\nx\r\n", c.Call("SRANDMEMBER", "s", "2"));
        Assert.Equal("*2\r\n$1\r\nx\r\n$1\r\nx\r\n", c.Call("SRANDMEMBER", "s", "-2"));
        Assert.Equal("*0\r\n", c.Call("SRANDMEMBER", "nokey", "2"));
        Assert.Equal("*1\r\n:1\r\n", c.Call("SMISMEMBER", "s", "x"));
        Assert.Equal("~0\r\n", c.Call("SPOP", "s", "0"));
        Assert.Equal("~0\r\n", c.Call("SPOP", "nokey", "1"));
        Assert.Equal("_\r\n", c.Call("SPOP", "nokey"));
        Assert.Equal("_\r\n", c.Call("SRANDMEMBER", "nokey"));
        Assert.Equal("~1\r\n$1\r\nx\r\n", c.Call("SPOP", "s", "1"));
    }

    [Fact]
    public async Task StoreCommandsReplaceAnyValueAndDropTheTtl()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        await db.SetAddAsync("a", ["1", "2"]);
        await db.StringSetAsync("dst", "string");
        lock (server.Server.KeyspaceLock)
        {
            var db0 = server.Server.Databases[0];
            db0.SetExpiry(db0.FindRaw("dst"u8)!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000);
        }
        Assert.Equal(2, await db.SetCombineAndStoreAsync(SetOperation.Union, "dst", "a", "nokey"));
        Assert.Equal(-1, server.Server.Databases[0].FindRaw("dst"u8)!.ExpireAtMs);
        Assert.Equal(0, await db.SetCombineAndStoreAsync(SetOperation.Intersect, "dst", "a", "nokey"));
        Assert.Null(server.Server.Databases[0].FindRaw("dst"u8));
    }

    [Fact]
    public void SInterCardReportsItsMovableKeys()
    {
        var table = Amber.Commands.CommandRegistry.Build();
        var spec = table.Find("sintercard")!;
        var args = new Amber.Protocol.ArgList();
        foreach (string a in new[] { "SINTERCARD", "2", "k1", "k2", "LIMIT", "1" })
        {
            byte[] b = System.Text.Encoding.UTF8.GetBytes(a);
            args.Add(b, 0, b.Length);
        }
        var keys = new List<int>();
        Assert.True(spec.KeyFinder!(args, keys));
        Assert.Equal([2, 3], keys);
    }
}
