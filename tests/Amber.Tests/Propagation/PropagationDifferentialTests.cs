using System.Globalization;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Propagation;

/// <summary>
/// The propagated form of each command, against what a real redis-server 7.0 writes to its AOF (appendonly yes,
/// appendfsync always) for the same commands: the same commands in the same order, byte for byte, except for what
/// depends on the clock (absolute expiry times, compared within a tolerance) or on randomness (the members SPOP
/// picks from sets of several members, compared by position only).
/// </summary>
public class PropagationDifferentialTests
{
    /// <summary>Propagation-specific commands (the rewrites in docs/propagation.md), after the write-effects sweep.</summary>
    private static readonly string[][] Script =
    [
        // SET and its expiry and GET forms.
        ["SET", "s1", "v", "EX", "100"], ["set", "s1", "v", "px", "100000", "nx"], ["SET", "s1", "v", "PX", "100000", "XX", "GET"],
        ["SET", "s1", "w", "GET"], ["SET", "s1", "w", "get", "KEEPTTL", "GET"], ["SET", "s2", "v", "EXAT", "99999999999"],
        ["SET", "s2", "v", "pxat", "99999999999999", "get"], ["SET", "s2", "v", "XX", "KEEPTTL"], ["SET", "s3", "v", "NX", "GET"],
        ["SETEX", "s4", "100", "v"], ["PSETEX", "s4", "100000", "w"], ["SETNX", "s5", "v"], ["GETSET", "s5", "w"],
        ["GETEX", "s5", "EX", "100"], ["GETEX", "s5", "PX", "100000"], ["GETEX", "s5", "EXAT", "99999999999"],
        ["GETEX", "s5", "PXAT", "99999999999999"], ["GETEX", "s5", "PERSIST"], ["GETEX", "s5", "PERSIST"], ["GETEX", "s5"],
        ["GETEX", "s5", "EXAT", "1"], ["GETEX", "s5", "EX", "10"], ["GETDEL", "s4"], ["GETDEL", "s4"],
        ["INCRBYFLOAT", "f1", "1e2"], ["INCRBYFLOAT", "f1", "0.1"], ["INCRBYFLOAT", "f1", "-5.0e3"], ["PEXPIRE", "f1", "100000"],
        ["INCRBYFLOAT", "f1", "3"], ["HINCRBYFLOAT", "hf", "a", "1e2"], ["HINCRBYFLOAT", "hf", "a", "0.1"], ["HINCRBYFLOAT", "hf", "b", "-3"],

        // EXPIRE family: absolute milliseconds, conditions kept as sent, the past deletes.
        ["SET", "e1", "v"], ["EXPIRE", "e1", "100"], ["expire", "e1", "50", "gt"], ["EXPIRE", "e1", "200", "GT"],
        ["PEXPIRE", "e1", "100000", "lt"], ["EXPIREAT", "e1", "99999999999", "XX"], ["pexpireat", "e1", "99999999999001"],
        ["PEXPIREAT", "e1", "99999999999002", "nx"], ["PERSIST", "e1"], ["EXPIRE", "e1", "100", "NX"], ["EXPIRE", "e1", "-1"],
        ["EXPIRE", "e1", "10"], ["SET", "e1", "v"], ["PEXPIREAT", "e1", "1"], ["SET", "e1", "v"], ["EXPIREAT", "e1", "1"],
        ["CONFIG", "SET", "lazyfree-lazy-expire", "yes"], ["SET", "e1", "v"], ["EXPIRE", "e1", "0"], ["SET", "e1", "v"],
        ["GETEX", "e1", "PXAT", "1"], ["SET", "e1", "v"], ["GETDEL", "e1"], ["CONFIG", "SET", "lazyfree-lazy-expire", "no"],

        // Random pops: the SREMs of the members picked (set "rs*": compared by position only).
        ["SADD", "rs1", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], ["SPOP", "rs1"], ["SPOP", "rs1", "1"],
        ["SPOP", "rs1", "3"], ["SPOP", "rs1", "0"], ["SADD", "rs2", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
        ["SPOP", "rs2", "8"], ["SPOP", "rs2", "5"], ["SPOP", "rs2"],

        // Lists and sorted sets: blocking and multi-key pops in their plain forms.
        ["RPUSH", "l1", "a", "b", "c", "d", "e", "f", "g"], ["BLPOP", "nol", "l1", "0"], ["BRPOP", "l1", "0"],
        ["BLMOVE", "l1", "l2", "LEFT", "Right", "0"], ["BRPOPLPUSH", "l1", "l2", "0"], ["BLMPOP", "0", "2", "nol", "l1", "right", "COUNT", "2"],
        ["LMPOP", "1", "l1", "LEFT", "COUNT", "10"], ["LMPOP", "1", "l2", "left"], ["LPOP", "l2", "5"],
        ["ZADD", "z1", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["BZPOPMIN", "noz", "z1", "0"], ["BZPOPMAX", "z1", "0"],
        ["BZMPOP", "0", "1", "z1", "min", "COUNT", "1"], ["ZMPOP", "2", "noz", "z1", "MAX", "COUNT", "5"], ["ZADD", "z1", "1", "a", "2", "b"],
        ["ZPOPMIN", "z1", "1"], ["ZMPOP", "1", "z1", "MIN"], ["BLPOP", "nol", "0.01"], ["BZPOPMIN", "noz", "0.01"],

        // Transactions: one entry unwrapped, several wrapped, nothing for read-only or failing parts.
        ["MULTI"], ["SET", "t1", "1"], ["EXEC"], ["MULTI"], ["SET", "t1", "2"], ["GET", "t1"], ["EXEC"],
        ["MULTI"], ["GET", "t1"], ["EXEC"], ["MULTI"], ["SET", "t1", "3"], ["INCR", "t1"], ["EXEC"],
        ["MULTI"], ["SET", "t1", "x"], ["INCR", "t1"], ["SADD", "t2", "a"], ["SADD", "t2", "a"], ["EXEC"],
        ["MULTI"], ["SET", "t1", "y"], ["DISCARD"], ["MULTI"], ["SELECT", "3"], ["SET", "t3", "1"], ["SELECT", "0"], ["SET", "t3", "2"], ["EXEC"],
        ["MULTI"], ["SADD", "rs3", "1", "2", "3", "4"], ["SPOP", "rs3", "2"], ["EXEC"], ["MULTI"], ["SELECT", "5"], ["EXEC"],
        ["SET", "t4", "in5"], ["SELECT", "0"], ["MULTI"], ["RPUSH", "tl", "a"], ["BLPOP", "tl", "0"], ["BLPOP", "tl", "0"], ["EXEC"],
        ["MULTI"], ["SET", "t5", "v", "EX", "100"], ["EXPIRE", "t5", "-1"], ["EXEC"],

        // Databases.
        ["SELECT", "2"], ["SET", "d1", "v"], ["MOVE", "d1", "3"], ["COPY", "t1", "d2", "DB", "4"], ["SWAPDB", "2", "3"],
        ["SWAPDB", "4", "4"], ["FLUSHDB"], ["FLUSHDB", "ASYNC"], ["SELECT", "0"], ["SET", "d3", "v"], ["FLUSHALL", "sync"], ["FLUSHALL"],
    ];

    [SkippableFact]
    public async Task CommandsPropagateAsRedisWritesThemToItsAof()
    {
        string dir = Path.Combine(Path.GetTempPath(), "amber-prop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var redis = RealRedis.Start($"--appendonly yes --appendfsync always --dir {dir} --enable-debug-command yes");
            await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes");
            CapturingSink sink = CapturingSink.Attach(server);
            using var redisClient = redis.Connect();
            var amberClient = server.Raw();
            var pair = new ClientPair(redisClient, amberClient);
            pair.Both("DEBUG", "SET-ACTIVE-EXPIRE", "0");

            foreach (string[] command in KeyspaceEventDifferentialTests.Script)
            {
                pair.Both(command);
            }
            pair.Both("FLUSHALL");
            foreach (string[] command in Script)
            {
                pair.Both(command);
            }
            Restore(pair);
            LazyExpiry(pair);
            ServedLater(redis, server);

            List<string[]> expected = RespStream.Parse(File.ReadAllBytes(Directory.GetFiles(Path.Combine(dir, "appendonlydir"), "*.incr.aof").Single()));
            byte[] captured = sink.Bytes;
            List<string[]> actual = RespStream.Parse(captured);
            // Amber's bytes are the canonical encoding of its commands, as Redis's AOF is.
            Assert.Equal(RespStream.Encode(actual), captured);
            AssertSameStream(expected, actual);
            Assert.True(actual.Count > 300, $"only {actual.Count} entries");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>RESTORE: a relative TTL becomes absolute plus ABSTTL; one already past deletes a replaced key.</summary>
    private static void Restore(ClientPair pair)
    {
        using var writer = new Amber.Persistence.Rdb.PooledBufferWriter();
        Amber.Commands.DumpCommand.WritePayload(writer, "hello"u8.ToArray(), compress: false, listMaxListpackSize: -2);
        string payload = System.Text.Encoding.Latin1.GetString(writer.WrittenSpan);
        pair.Both("RESTORE", "r1", "0", payload);
        pair.Both("RESTORE", "r2", "100000", payload);
        pair.Both("restore", "r2", "100000", payload, "replace");
        pair.Both("RESTORE", "r3", "99999999999999", payload, "absttl");
        pair.Both("RESTORE", "r3", "1", payload, "REPLACE", "ABSTTL");
        pair.Both("RESTORE", "r4", "0", payload, "IDLETIME", "10");
        pair.Both("RESTORE", "r4", "5000", payload, "REPLACE", "idletime", "10");
        pair.Both("RESTORE", "r5", "1", payload, "ABSTTL");
        pair.Both("RESTORE", "r4", "0", payload);
    }

    /// <summary>Keys expiring on access: their DEL joins the command that found them (and makes it a MULTI).</summary>
    private static void LazyExpiry(ClientPair pair)
    {
        string[] keys = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"];
        foreach (string k in keys)
        {
            pair.Both("SET", k, "v", "PX", "1");
        }
        pair.Both("RPUSH", "x10", "a");
        pair.Both("PEXPIRE", "x10", "1");
        pair.Both("SELECT", "6");
        pair.Both("SET", "x11", "v", "PX", "1");
        pair.Both("SELECT", "0");
        // Waiting for the clock (not for another thread): the keys must be past their time.
        Thread.Sleep(10);
        pair.Both("GET", "x1");
        pair.Both("SET", "x2", "new");
        pair.Both("MGET", "x3", "x4", "none");
        pair.Both("MULTI");
        pair.Both("GET", "x5");
        pair.Both("SET", "y", "1");
        pair.Both("EXEC");
        pair.Both("MULTI");
        pair.Both("EXISTS", "x6");
        pair.Both("EXEC");
        pair.Both("EXPIRE", "x7", "100");
        pair.Both("APPEND", "x8", "z");
        pair.Both("BLPOP", "x10", "0.01");
        pair.Both("CONFIG", "SET", "lazyfree-lazy-expire", "yes");
        pair.Both("TYPE", "x9");
        pair.Both("CONFIG", "SET", "lazyfree-lazy-expire", "no");
        pair.Both("SET", "other", "v");
        pair.Both("SELECT", "6");
        pair.Both("GET", "x11");
        pair.Both("SELECT", "0");
    }

    /// <summary>Blocked clients served by another client's push propagate their pop after the push.</summary>
    private static void ServedLater(RealRedis redis, TestServer server)
    {
        string[][][] cases =
        [
            [["BLPOP", "q", "0"], ["RPUSH", "q", "x", "y"]],
            [["BRPOP", "q1", "0"], ["RPUSH", "q1", "x"]],
            [["BLMOVE", "q2", "dst", "RIGHT", "Left", "0"], ["RPUSH", "q2", "x"]],
            [["BRPOPLPUSH", "q3", "q3", "0"], ["RPUSH", "q3", "x", "y"]],
            [["BLMPOP", "0", "1", "q4", "LEFT", "COUNT", "5"], ["RPUSH", "q4", "x", "y"]],
            [["BZPOPMIN", "zq", "0"], ["ZADD", "zq", "1", "a", "2", "b"]],
            [["BZPOPMAX", "zq1", "0"], ["ZADD", "zq1", "1", "a"]],
            [["BZMPOP", "0", "1", "zq2", "MAX", "COUNT", "5"], ["ZADD", "zq2", "1", "a", "2", "b"]],
        ];
        using var redisWaiter = redis.Connect();
        using var redisPusher = redis.Connect();
        using var amberWaiter = new RawClient(server.Port);
        using var amberPusher = new RawClient(server.Port);
        foreach (string[][] c in cases)
        {
            ServeOne(redis, server, redisWaiter, amberWaiter, c[0], () => Assert.Equal(redisPusher.Call(c[1]), amberPusher.Call(c[1])));
        }
        // A waiter in another database, served by a transaction that pushes twice.
        Assert.Equal(redisWaiter.Call("SELECT", "7"), amberWaiter.Call("SELECT", "7"));
        ServeOne(redis, server, redisWaiter, amberWaiter, ["BLPOP", "mq", "0"], () =>
        {
            foreach (string[] command in new[] { new[] { "SELECT", "7" }, ["MULTI"], ["RPUSH", "mq", "a"], ["RPUSH", "mq", "b"], ["EXEC"], ["SELECT", "0"] })
            {
                Assert.Equal(redisPusher.Call(command), amberPusher.Call(command));
            }
        });
        Assert.Equal(redisWaiter.Call("SELECT", "0"), amberWaiter.Call("SELECT", "0"));
        using var redisOther = redis.Connect();
        using var amberOther = new RawClient(server.Port);
        redisWaiter.SendCommand("BLPOP", "w1", "0");
        amberWaiter.SendCommand("BLPOP", "w1", "0");
        // Two connections' requests have no order until the first is seen blocked: wait, then send the second.
        WaitBlocked(redis, server, 1);
        redisOther.SendCommand("BLPOP", "w1", "0");
        amberOther.SendCommand("BLPOP", "w1", "0");
        WaitBlocked(redis, server, 2);
        Assert.Equal(redisPusher.Call("RPUSH", "w1", "a", "b", "c"), amberPusher.Call("RPUSH", "w1", "a", "b", "c"));
        Assert.Equal(redisWaiter.ReadReply(), amberWaiter.ReadReply());
        Assert.Equal(redisOther.ReadReply(), amberOther.ReadReply());
    }

    private static void ServeOne(RealRedis redis, TestServer server, RawClient redisWaiter, RawClient amberWaiter, string[] blocking, Action push)
    {
        redisWaiter.SendCommand(blocking);
        amberWaiter.SendCommand(blocking);
        WaitBlocked(redis, server, 1);
        push();
        Assert.Equal(redisWaiter.ReadReply(), amberWaiter.ReadReply());
    }

    private static void WaitBlocked(RealRedis redis, TestServer server, int count)
    {
        using var info = redis.Connect();
        long deadline = Environment.TickCount64 + 10_000;
        while (!info.Call("INFO", "clients").Contains($"blocked_clients:{count}\r\n", StringComparison.Ordinal) ||
            server.Server.Blocking.BlockedCount != count)
        {
            Assert.True(Environment.TickCount64 < deadline, "clients did not block");
            Thread.Sleep(2);
        }
    }

    /// <summary>Compares entry by entry; clock-dependent and random arguments within their allowance.</summary>
    internal static void AssertSameStream(List<string[]> expected, List<string[]> actual)
    {
        int n = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < n; i++)
        {
            if (!SameEntry(expected[i], actual[i]))
            {
                Assert.Fail($"entry {i} differs\nredis: {RespStream.Show(expected[i])}\namber: {RespStream.Show(actual[i])}\n" +
                    $"--- redis around it:\n{RespStream.Show(expected.Skip(Math.Max(0, i - 6)).Take(12))}\n" +
                    $"--- amber around it:\n{RespStream.Show(actual.Skip(Math.Max(0, i - 6)).Take(12))}");
            }
        }
        Assert.True(expected.Count == actual.Count,
            $"redis wrote {expected.Count} entries, amber {actual.Count}; first extra:\n" +
            RespStream.Show((expected.Count > actual.Count ? expected : actual).Skip(n).Take(10)));
    }

    private static bool SameEntry(string[] expected, string[] actual)
    {
        if (expected.Length != actual.Length)
        {
            return false;
        }
        bool randomMember = expected[0] == "SREM" && expected[1].StartsWith("rs", StringComparison.Ordinal);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i] || (randomMember && i == 2) || CloseTimes(expected[i], actual[i]))
            {
                continue;
            }
            return false;
        }
        return true;
    }

    /// <summary>Two absolute times derived from "now" on each server: equal within a few seconds.</summary>
    private static bool CloseTimes(string expected, string actual)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return long.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out long e) &&
            long.TryParse(actual, NumberStyles.None, CultureInfo.InvariantCulture, out long a) &&
            e > now - 3_600_000 && e < now + 1_000_000_000 && Math.Abs(e - a) < 5_000;
    }

    /// <summary>Sends each command to both servers and checks the replies agree (except SPOP's random members, also in EXEC's reply).</summary>
    private sealed class ClientPair(RawClient redis, RawClient amber)
    {
        private bool _randomInTransaction;

        public void Both(params string[] command)
        {
            // Latin-1 (one char per byte), so binary arguments such as DUMP payloads go as they are.
            byte[] request = RespStream.Encode([command]);
            redis.Send(request);
            amber.Send(request);
            string want = redis.ReadReply();
            string got = amber.ReadReply();
            bool random = command[0].Equals("SPOP", StringComparison.OrdinalIgnoreCase);
            _randomInTransaction |= random;
            if (command[0].Equals("EXEC", StringComparison.OrdinalIgnoreCase))
            {
                random = _randomInTransaction;
                _randomInTransaction = false;
            }
            if (!random)
            {
                Assert.True(want == got, $"{string.Join(' ', command)}\nredis: {want}\namber: {got}");
            }
        }
    }
}
