using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>
/// The write-effects sweep, checked against a real redis-server: the same commands must publish the same keyspace
/// notifications (channels, messages, order; classes KEA plus n) and add the same number to the dirty counter
/// (INFO's rdb_changes_since_last_save) as Redis 7.0, command by command.
/// </summary>
public class KeyspaceEventDifferentialTests
{
    internal static readonly string[][] Script =
    [
        // Strings.
        ["SET", "a", "1"], ["SET", "a", "2", "NX"], ["SET", "a", "3", "XX", "PX", "100000"], ["SET", "a", "4", "KEEPTTL"],
        ["SET", "a", "5", "GET"], ["SET", "l0", "x"], ["LPUSH", "lst", "x"], ["SET", "lst", "v", "GET"],
        ["SETNX", "a", "x"], ["SETNX", "nx", "x"], ["SETEX", "ex", "100", "v"], ["PSETEX", "pex", "100000", "v"],
        ["SETEX", "ex", "0", "v"], ["GETSET", "a", "6"], ["GETSET", "fresh", "1"], ["MSET", "m1", "1", "m2", "2"],
        ["MSETNX", "m1", "1", "m3", "3"], ["MSETNX", "m3", "3", "m4", "4"], ["APPEND", "ap", ""], ["APPEND", "ap", "x"],
        ["APPEND", "ap", ""], ["SETRANGE", "sr", "0", ""], ["SETRANGE", "sr", "2", "ab"], ["SETRANGE", "sr", "0", ""],
        ["SETRANGE", "sr", "-1", "x"], ["INCR", "n"], ["DECR", "n"], ["INCRBY", "n", "5"], ["DECRBY", "n", "2"],
        ["INCR", "a"], ["INCRBY", "n", "x"], ["INCRBYFLOAT", "f", "1.5"], ["INCRBYFLOAT", "f", "x"],
        ["GETDEL", "nx"], ["GETDEL", "nx"], ["GETEX", "ap"], ["GETEX", "ap", "PERSIST"], ["GETEX", "ap", "PX", "100000"],
        ["GETEX", "ap", "PERSIST"], ["GETEX", "ap", "PXAT", "1"], ["GETEX", "missing", "EX", "10"],
        ["SETBIT", "sb", "1", "1"], ["SETBIT", "sb", "1", "1"], ["SETBIT", "sb", "1", "0"], ["SETBIT", "sb", "100", "0"],
        ["BITOP", "AND", "dest", "none1", "none2"], ["BITOP", "OR", "dest", "sb", "m1"], ["BITOP", "AND", "dest", "none1"],
        ["BITFIELD", "bf", "GET", "u8", "0"], ["BITFIELD", "bf", "SET", "u8", "0", "1", "SET", "u8", "8", "2"],
        ["BITFIELD", "bf", "SET", "u8", "0", "1"], ["BITFIELD", "bf2", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"],
        ["BITFIELD", "bf2", "INCRBY", "u2", "0", "0"], ["BITFIELD", "bf2", "INCRBY", "u2", "0", "1", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"],
        ["BITFIELD", "bf2", "SET", "u8", "64", "0"],

        // Keys and expiry.
        ["DEL", "m1", "m2", "missing"], ["UNLINK", "m3", "m4"], ["EXPIRE", "a", "100"], ["EXPIRE", "a", "100", "NX"],
        ["PEXPIRE", "a", "100000", "XX"], ["EXPIREAT", "a", "99999999999"], ["PEXPIREAT", "a", "99999999999000", "GT"],
        ["EXPIRE", "missing", "10"], ["PERSIST", "a"], ["PERSIST", "a"], ["PEXPIRE", "a", "-1"], ["EXPIRE", "a", "x"],
        ["SET", "r", "1"], ["RENAME", "r", "r"], ["RENAME", "r", "r2"], ["SET", "r3", "x"], ["RENAMENX", "r2", "r3"],
        ["RENAME", "r2", "r3"], ["RENAME", "missing", "x"], ["RENAMENX", "r3", "r4"], ["COPY", "r4", "c1"],
        ["COPY", "r4", "c1"], ["COPY", "r4", "c1", "REPLACE"], ["COPY", "r4", "c1", "DB", "1"], ["COPY", "missing", "c2"],
        ["MOVE", "c1", "1"], ["MOVE", "r4", "1"], ["MOVE", "missing", "1"], ["TOUCH", "r4"], ["EXISTS", "r4"],

        // Lists.
        ["LPUSH", "l", "a", "b"], ["RPUSH", "l", "c"], ["LPUSHX", "nol", "a"], ["RPUSHX", "l", "d", "e"],
        ["LINSERT", "l", "BEFORE", "zz", "x"], ["LINSERT", "l", "AFTER", "a", "x"], ["LINSERT", "nol", "BEFORE", "a", "x"],
        ["LSET", "l", "0", "y"], ["LSET", "l", "100", "y"], ["LREM", "l", "0", "zz"], ["LREM", "l", "1", "y"],
        ["LTRIM", "l", "0", "-1"], ["LTRIM", "l", "0", "3"], ["LTRIM", "nol", "0", "1"], ["LPOP", "l", "0"], ["LPOP", "l"],
        ["RPOP", "l", "2"], ["LPOP", "nol"], ["RPUSH", "l", "a", "b", "c"], ["LMOVE", "l", "l", "LEFT", "RIGHT"],
        ["LMOVE", "l", "m", "RIGHT", "LEFT"], ["RPOPLPUSH", "l", "m"], ["RPOPLPUSH", "l", "m"], ["RPOPLPUSH", "l", "m"],
        ["LMOVE", "m", "a", "LEFT", "LEFT"], ["LMPOP", "2", "nol", "m", "LEFT", "COUNT", "2"], ["LMPOP", "1", "nol", "LEFT"],
        ["RPUSH", "q", "a", "b"], ["BLPOP", "nol", "q", "0"], ["BRPOP", "q", "0"], ["RPUSH", "q", "a", "b"],
        ["BLMOVE", "q", "q2", "LEFT", "RIGHT", "0"], ["BRPOPLPUSH", "q", "q2", "0"], ["BLMPOP", "0", "1", "q2", "RIGHT", "COUNT", "5"],
        ["RPUSH", "t", "a", "a", "b"], ["LREM", "t", "0", "a"], ["LREM", "t", "0", "b"],

        // Hashes and sets (deterministic forms only: SPOP and random picks differ between servers).
        ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a", "1"], ["HMSET", "h", "c", "3"], ["HSETNX", "h", "a", "1"],
        ["HSETNX", "h", "d", "1"], ["HDEL", "h", "zz"], ["HDEL", "h", "a", "b"], ["HINCRBY", "h", "n", "1"],
        ["HINCRBYFLOAT", "h", "f", "1.5"], ["HINCRBY", "h", "c", "x"], ["HDEL", "h", "c", "d", "n", "f"], ["HGET", "h", "a"],
        ["SADD", "s", "a", "b"], ["SADD", "s", "a"], ["SREM", "s", "zz"], ["SREM", "s", "a", "b"], ["SADD", "s", "1", "2"],
        ["SMOVE", "s", "t", "1"], ["SMOVE", "s", "t", "zz"], ["SMOVE", "s", "t", "2"], ["SADD", "sa", "1", "2"],
        ["SADD", "sb", "2", "3"], ["SINTERSTORE", "sd", "sa", "sb"], ["SUNIONSTORE", "sd", "sa", "sb"],
        ["SDIFFSTORE", "sd", "sa", "sb"], ["SINTERSTORE", "sd", "sa", "nokey"], ["SINTERSTORE", "sd", "sa", "nokey"],
        ["SADD", "one", "x"], ["SPOP", "one"], ["SPOP", "one"], ["SADD", "one", "x"], ["SPOP", "one", "5"], ["SMEMBERS", "nokey"],

        // Sorted sets.
        ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZADD", "z", "1", "a"], ["ZADD", "z", "NX", "5", "a"], ["ZADD", "z", "XX", "5", "zz"],
        ["ZADD", "z", "GT", "CH", "0", "a", "9", "b"], ["ZADD", "z", "INCR", "1", "c"], ["ZINCRBY", "z", "1", "new"],
        ["ZREM", "z", "zz"], ["ZREM", "z", "new"], ["ZREMRANGEBYSCORE", "z", "100", "200"], ["ZREMRANGEBYSCORE", "z", "0", "1"],
        ["ZADD", "zl", "0", "p", "0", "q", "0", "r"], ["ZREMRANGEBYLEX", "zl", "[p", "[q"], ["ZREMRANGEBYLEX", "zl", "[a", "[b"],
        ["ZREMRANGEBYLEX", "zl", "-", "+"], ["ZREMRANGEBYRANK", "z", "0", "0"],
        ["ZPOPMIN", "z"], ["ZPOPMAX", "z", "0"], ["ZPOPMAX", "z", "10"], ["ZPOPMIN", "z"], ["ZADD", "za", "1", "x", "2", "y"],
        ["ZADD", "zb", "2", "y", "3", "w"], ["ZUNIONSTORE", "zd", "2", "za", "zb"], ["ZINTERSTORE", "zd", "2", "za", "zb"],
        ["ZDIFFSTORE", "zd", "2", "za", "zb"], ["ZINTERSTORE", "zd", "2", "za", "none"], ["ZINTERSTORE", "zd", "2", "za", "none"],
        ["ZRANGESTORE", "zr", "za", "0", "-1"], ["ZRANGESTORE", "zr", "za", "5", "6"], ["ZMPOP", "2", "none", "za", "MIN", "COUNT", "5"],
        ["BZPOPMIN", "zb", "0"], ["BZMPOP", "0", "1", "zb", "MAX"], ["ZADD", "zc", "1", "x"], ["ZSCORE", "none", "x"],

        // Databases.
        ["SWAPDB", "0", "0"], ["SWAPDB", "0", "1"], ["SWAPDB", "1", "0"], ["SELECT", "1"], ["FLUSHDB"], ["FLUSHDB"],
        ["SELECT", "0"], ["SET", "z", "1"], ["FLUSHALL"], ["FLUSHALL"],
    ];

    [SkippableFact]
    public async Task WritesPublishTheSameEventsAndDirtyCountsAsRedis()
    {
        using var redis = RealRedis.Start();
        // No save points, as the reference server (--save ""): with them FLUSHALL saves and resets the dirty counter.
        await using var server = TestServer.Start(c => c.Save = []);
        using var events = new RedisEventSubscriber(redis, "KEAn");
        // End to end: Amber's notifications arrive through its own PSUBSCRIBE, as Redis's do.
        using var sink = new RedisEventSubscriber(server.Port, "KEAn");
        using var expected = redis.Connect();
        var actual = server.Raw();
        int total = 0;
        foreach (string[] command in Script)
        {
            string text = string.Join(' ', command);
            long redisDirty = RedisDirty(expected);
            long amberDirty = server.Server.Dirty;
            string want = expected.Call(command);
            string got = actual.Call(command);
            Assert.True(want == got, $"{text}\nredis: {want}\namber: {got}");
            Assert.True(RedisDirty(expected) - redisDirty == server.Server.Dirty - amberDirty,
                $"{text}: dirty redis +{RedisDirty(expected) - redisDirty}, amber +{server.Server.Dirty - amberDirty}");
            List<string> redisEvents = events.Take();
            List<string> amberEvents = sink.Take();
            Assert.True(redisEvents.SequenceEqual(amberEvents),
                $"{text}\nredis: {string.Join(" | ", redisEvents)}\namber: {string.Join(" | ", amberEvents)}");
            total += amberEvents.Count;
        }
        Assert.True(total > 150, $"only {total} events");
    }

    [SkippableFact]
    public async Task ReadMissesPublishKeymissAsRedis()
    {
        using var redis = RealRedis.Start();
        await using var server = TestServer.Start();
        using var events = new RedisEventSubscriber(redis, "KEm");
        var sink = new AmberEventSink(server, "KEm");
        using var expected = redis.Connect();
        var actual = server.Raw();
        string[][] script =
        [
            ["SET", "s", "v"], ["GET", "m1"], ["EXISTS", "m2", "s"], ["TYPE", "m3"], ["TTL", "m4"], ["PTTL", "m4"],
            ["EXPIRETIME", "m4"], ["OBJECT", "ENCODING", "m5"], ["MGET", "m6", "s", "m7"], ["LLEN", "m8"],
            ["LRANGE", "m9", "0", "1"], ["LINDEX", "m9", "0"], ["LPOS", "m9", "x"], ["SET", "s2", "v", "GET"],
            ["GETDEL", "m10"], ["GETEX", "m11"], ["GETSET", "m12", "v"], ["BITOP", "AND", "d", "m13", "m14"],
            ["COPY", "m15", "x"], ["TOUCH", "m16", "s"], ["STRLEN", "m17"], ["GETRANGE", "m17", "0", "1"],
            ["BITCOUNT", "m18"], ["GETBIT", "m18", "0"], ["BITPOS", "m18", "1"], ["BITFIELD_RO", "m18", "GET", "u8", "0"],
            ["BITFIELD", "m18", "GET", "u8", "0"], ["LCS", "m19", "m20"], ["LPOP", "m21"], ["INCR", "m22"],
            ["APPEND", "m23", "x"], ["SCAN", "0"], ["RANDOMKEY"], ["BLPOP", "m24", "0.01"], ["SET", "m25", "x", "NX"],
            ["HGET", "m26", "f"], ["HLEN", "m26"], ["HGETALL", "m26"], ["HSCAN", "m26", "0"], ["HINCRBY", "m26", "f", "1"],
            ["SMEMBERS", "m27"], ["SCARD", "m27"], ["SISMEMBER", "m27", "x"], ["SSCAN", "m27", "0"], ["SINTER", "m27", "m28"],
            ["SUNIONSTORE", "d2", "m27", "m28"], ["SMOVE", "m29", "d3", "x"], ["SREM", "m30", "x"], ["SPOP", "m31"],
        ];
        int total = 0;
        foreach (string[] command in script)
        {
            string text = string.Join(' ', command);
            string want = expected.Call(command);
            string got = actual.Call(command);
            if (command[0] is not ("SCAN" or "RANDOMKEY"))
            {
                Assert.True(want == got, $"{text}\nredis: {want}\namber: {got}");
            }
            List<string> redisEvents = events.Take();
            List<string> amberEvents = sink.Take();
            Assert.True(redisEvents.SequenceEqual(amberEvents),
                $"{text}\nredis: {string.Join(" | ", redisEvents)}\namber: {string.Join(" | ", amberEvents)}");
            total += amberEvents.Count;
        }
        Assert.True(total > 40, $"only {total} events");
    }

    [SkippableFact]
    public async Task ServingBlockedClientsPublishesTheSameEventsAsRedis()
    {
        using var redis = RealRedis.Start();
        // No save points, as the reference server (--save ""): with them FLUSHALL saves and resets the dirty counter.
        await using var server = TestServer.Start(c => c.Save = []);
        using var events = new RedisEventSubscriber(redis, "KEAn");
        var sink = new AmberEventSink(server, "KEAn");
        string[][][] cases =
        [
            [["BLPOP", "q", "0"], ["RPUSH", "q", "x", "y"]],
            [["BRPOP", "q1", "0"], ["RPUSH", "q1", "x"]],
            [["BLMOVE", "q2", "dst", "RIGHT", "LEFT", "0"], ["RPUSH", "q2", "x"]],
            [["BRPOPLPUSH", "q3", "q3", "0"], ["RPUSH", "q3", "x", "y"]],
            [["BLMPOP", "0", "1", "q4", "LEFT", "COUNT", "5"], ["RPUSH", "q4", "x", "y"]],
            [["BLMOVE", "q5", "dst", "LEFT", "LEFT", "0"], ["LPUSH", "q5", "x"]],
            [["BZPOPMIN", "zq", "0"], ["ZADD", "zq", "1", "a", "2", "b"]],
            [["BZPOPMAX", "zq1", "0"], ["ZADD", "zq1", "1", "a"]],
            [["BZMPOP", "0", "1", "zq2", "MAX", "COUNT", "5"], ["ZADD", "zq2", "1", "a", "2", "b"]],
        ];
        using var redisWaiter = redis.Connect();
        using var redisPusher = redis.Connect();
        var amberWaiter = server.Raw();
        var amberPusher = server.Raw();
        using var redisInfo = redis.Connect();
        int total = 0;
        foreach (string[][] c in cases)
        {
            string text = string.Join(' ', c[0]);
            long redisDirty = RedisDirty(redisInfo);
            long amberDirty = server.Server.Dirty;
            redisWaiter.SendCommand(c[0]);
            amberWaiter.SendCommand(c[0]);
            WaitBlocked(redisInfo, 1);
            using (var amberInfo = server.Raw())
            {
                WaitBlocked(amberInfo, 1);
            }
            Assert.Equal(redisPusher.Call(c[1]), amberPusher.Call(c[1]));
            Assert.Equal(redisWaiter.ReadReply(), amberWaiter.ReadReply());
            Assert.True(RedisDirty(redisInfo) - redisDirty == server.Server.Dirty - amberDirty,
                $"{text}: dirty redis +{RedisDirty(redisInfo) - redisDirty}, amber +{server.Server.Dirty - amberDirty}");
            List<string> redisEvents = events.Take();
            List<string> amberEvents = sink.Take();
            Assert.True(redisEvents.SequenceEqual(amberEvents),
                $"{text}\nredis: {string.Join(" | ", redisEvents)}\namber: {string.Join(" | ", amberEvents)}");
            total += amberEvents.Count;
        }
        Assert.True(total > 30, $"only {total} events");
    }

    private static void WaitBlocked(RawClient c, int count)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!c.Call("CLIENT", "LIST").Contains(" flags=b ") || CountBlocked(c.Call("CLIENT", "LIST")) < count)
        {
            Assert.True(Environment.TickCount64 < deadline, "client did not block");
            Thread.Sleep(5);
        }
    }

    private static int CountBlocked(string list) => list.Split(" flags=b ").Length - 1;

    private static long RedisDirty(RawClient c)
    {
        string info = c.Call("INFO", "persistence");
        int at = info.IndexOf("rdb_changes_since_last_save:", StringComparison.Ordinal) + "rdb_changes_since_last_save:".Length;
        return long.Parse(info.AsSpan(at, info.IndexOf('\r', at) - at));
    }
}
