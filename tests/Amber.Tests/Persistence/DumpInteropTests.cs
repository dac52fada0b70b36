using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// DUMP payloads from Amber must RESTORE into a real Redis 7.0 as the same value (same DEBUG DIGEST-VALUE) and,
/// where Redis's own DUMP of the same value is deterministic (no hash-table order involved), be the same bytes.
/// </summary>
public sealed class DumpInteropTests
{
    /// <summary>A key, the commands that build it (run on both servers), and whether Redis's DUMP bytes must match.</summary>
    private sealed record Case(string Key, string Encoding, bool SameBytes, params object[][] Commands);

    private static IEnumerable<Case> Cases()
    {
        var random = new Random(11);
        string Noise(int n) => new(Enumerable.Range(0, n).Select(_ => (char)random.Next(33, 127)).ToArray());

        yield return new("s:int", "int", true, ["SET", "s:int", "12345"]);
        yield return new("s:neg", "int", true, ["SET", "s:neg", "-7"]);
        yield return new("s:int64", "int", true, ["SET", "s:int64", "1234567890123"]);
        yield return new("s:min", "int", true, ["SET", "s:min", "-9223372036854775808"]);
        yield return new("s:short", "embstr", true, ["SET", "s:short", "hello"]);
        yield return new("s:007", "embstr", true, ["SET", "s:007", "007"]);
        yield return new("s:empty", "embstr", true, ["SET", "s:empty", ""]);
        yield return new("s:21", "embstr", true, ["SET", "s:21", new string('z', 21)]);
        yield return new("s:lzf", "raw", true, ["SET", "s:lzf", string.Concat(Enumerable.Repeat("abcdefgh", 40))]);
        yield return new("s:text", "raw", true, ["SET", "s:text", string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog ", 30))]);
        yield return new("s:noise", "raw", true, ["SET", "s:noise", Noise(300)]);
        yield return new("s:append", "raw", true, ["SET", "s:append", "1"], ["APPEND", "s:append", "2"]);

        yield return new("h:small", "listpack", true, ["HSET", "h:small", "f", "v", "f2", "2", "n", "-5000", "big", "99999999999", "x", "3.5"]);
        yield return new("h:edited", "listpack", true, ["HSET", "h:edited", "a", "1", "b", "2", "c", "3"], ["HDEL", "h:edited", "b"], ["HSET", "h:edited", "a", "longer value"]);
        yield return new("h:long", "hashtable", false, ["HSET", "h:long", "f", new string('v', 65)]);
        object[] manyFields = ["HSET", "h:many"];
        manyFields = [.. manyFields, .. Enumerable.Range(0, 600).SelectMany(i => new object[] { "field" + i, "value" + i })];
        yield return new("h:many", "hashtable", false, manyFields);
        // One array per field and value (ByteTable): empty ones, 2-byte length headers, in-place and resizing overwrites.
        yield return new("h:edges", "hashtable", false,
            ["HSET", "h:edges", "", "", new string('a', 127), "", new string('b', 128), "x", new string('c', 200), new string('v', 300), "n", "10"],
            ["HSET", "h:edges", new string('b', 128), "y", new string('c', 200), ""],
            ["HINCRBY", "h:edges", "n", "5"], ["HINCRBY", "h:edges", "n", "100"], ["HDEL", "h:edges", new string('a', 127)]);

        yield return new("set:ints", "intset", true, ["SADD", "set:ints", "3", "1", "2", "-1"]);
        yield return new("set:wide", "intset", true, ["SADD", "set:wide", "1", "70000", "-9223372036854775808"]);
        yield return new("set:widened", "intset", true, ["SADD", "set:widened", "1", "5000000000"], ["SREM", "set:widened", "5000000000"]);
        yield return new("set:strings", "hashtable", false, ["SADD", "set:strings", "a", "b", "1"]);
        yield return new("set:oneword", "hashtable", true, ["SADD", "set:oneword", "word"]);
        object[] manyInts = ["SADD", "set:manyints"];
        manyInts = [.. manyInts, .. Enumerable.Range(0, 600).Select(i => (object)(i * 3))];
        yield return new("set:manyints", "hashtable", false, manyInts);

        yield return new("z:small", "listpack", true, ["ZADD", "z:small", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e", "0", "f", "1e20", "g", "12345678", "h", "0.1", "i", "9007199254740993", "j"]);
        yield return new("z:intmembers", "listpack", true, ["ZADD", "z:intmembers", "1", "100", "1", "7", "2", "-200000"]);
        yield return new("z:negzero", "listpack", true, ["ZADD", "z:negzero", "-0", "m"]);
        object[] manyMembers = ["ZADD", "z:many"];
        manyMembers = [.. manyMembers, .. Enumerable.Range(0, 200).SelectMany(i => new object[] { (i % 7 * 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture), "member" + i })];
        yield return new("z:many", "skiplist", true, manyMembers);
        yield return new("z:longmember", "skiplist", true, ["ZADD", "z:longmember", "1", new string('m', 100), "2", "short"]);

        yield return new("l:small", "quicklist", true, ["RPUSH", "l:small", "a", "b", "1"]);
        object[] ints = ["RPUSH", "l:ints", "0", "127", "128", "-1", "4095", "-4096", "4096", "32767", "-32768", "32768", "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "-0", "+1", new string('s', 63), new string('s', 64), new string('s', 4095), new string('s', 4096)];
        yield return new("l:ints", "quicklist", true, ints);
        object[] many = ["RPUSH", "l:many"];
        many = [.. many, .. Enumerable.Range(0, 5000).Select(i => (object)("element-" + i))];
        yield return new("l:many", "quicklist", true, many);
        object[] big = ["RPUSH", "l:big"];
        big = [.. big, .. Enumerable.Range(0, 5).Select(i => (object)(Noise(5000) + i))];
        yield return new("l:big", "quicklist", true, big);
        object[] headPushed = ["LPUSH", "l:head"];
        headPushed = [.. headPushed, .. Enumerable.Range(0, 3000).Select(i => (object)"x")];
        yield return new("l:head", "quicklist", false, headPushed);
        yield return new("l:edited", "quicklist", true, ["RPUSH", "l:edited", "a", "b", "c", "d"], ["LSET", "l:edited", "1", "12"], ["LREM", "l:edited", "0", "c"], ["LPUSH", "l:edited", "first"]);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AmberDumpsRestoreIntoRedisAsTheSameValue(bool compression)
    {
        using var redis = RedisProcess.Start(extraArgs: $"--rdbcompression {(compression ? "yes" : "no")}");
        await using var amber = TestServer.Start(cfg =>
        {
            cfg.EnableDebugCommand = "yes";
            cfg.RdbCompression = compression;
        });
        using var a = new BinaryRespClient(amber.Port);
        using var r = redis.Connect();
        var failures = new List<string>();
        foreach (Case c in Cases())
        {
            foreach (object[] command in c.Commands)
            {
                object? ra = a.Call(command);
                object? rr = r.Call(command);
                Assert.Equal(BinaryRespClient.Describe(rr), BinaryRespClient.Describe(ra));
            }
            Assert.Equal(c.Encoding, r.Text("OBJECT", "ENCODING", c.Key));
            Assert.Equal(c.Encoding, a.Text("OBJECT", "ENCODING", c.Key));

            byte[] amberDump = a.Bulk("DUMP", c.Key);
            byte[] redisDump = r.Bulk("DUMP", c.Key);
            if (c.SameBytes && !amberDump.AsSpan().SequenceEqual(redisDump))
            {
                int at = amberDump.AsSpan().CommonPrefixLength(redisDump);
                if (at < 12) { at = 12 + amberDump.AsSpan(12).CommonPrefixLength(redisDump.AsSpan(12)); }
                int from = Math.Max(0, at - 16);
                failures.Add($"{c.Key}: DUMP bytes differ at {at} of {redisDump.Length}\n amber {Convert.ToHexString(amberDump.AsSpan(from, Math.Min(64, amberDump.Length - from)))}\n redis {Convert.ToHexString(redisDump.AsSpan(from, Math.Min(64, redisDump.Length - from)))}");
            }
            string restored = "restored:" + c.Key;
            object? reply = r.Call("RESTORE", restored, "0", amberDump);
            if (reply is not "OK")
            {
                failures.Add($"{c.Key}: RESTORE failed: {BinaryRespClient.Describe(reply)}");
                continue;
            }
            string amberDigest = Digest(a, c.Key);
            Assert.Equal(Digest(r, c.Key), amberDigest);
            if (Digest(r, restored) != amberDigest)
            {
                failures.Add($"{c.Key}: restored digest differs");
            }
            // Redis decides the loaded encoding from the payload: it must be the one its own DUMP leads to.
            Assert.Equal("OK", r.Call("RESTORE", "own:" + c.Key, "0", redisDump));
            Assert.Equal(r.Text("OBJECT", "ENCODING", "own:" + c.Key), r.Text("OBJECT", "ENCODING", restored));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Digest(BinaryRespClient client, string key)
    {
        object? reply = client.Call("DEBUG", "DIGEST-VALUE", key);
        Assert.True(reply is object?[] { Length: 1 }, BinaryRespClient.Describe(reply));
        return ((object?[])reply)[0] switch
        {
            string s => s,
            byte[] b => Encoding.ASCII.GetString(b),
            var other => BinaryRespClient.Describe(other),
        };
    }

    [SkippableFact]
    public async Task DumpOfAMissingKeyIsNilAndArityIsRedis()
    {
        using var redis = RedisProcess.Start();
        await using var amber = TestServer.Start();
        using var a = new BinaryRespClient(amber.Port);
        using var r = redis.Connect();
        Assert.Null(a.Call("DUMP", "nope"));
        Assert.Equal(BinaryRespClient.Describe(r.Call("DUMP")), BinaryRespClient.Describe(a.Call("DUMP")));
        Assert.Equal(BinaryRespClient.Describe(r.Call("DUMP", "a", "b")), BinaryRespClient.Describe(a.Call("DUMP", "a", "b")));
        Assert.Equal(Flatten(r.Call("COMMAND", "INFO", "dump")), Flatten(a.Call("COMMAND", "INFO", "dump")));
    }

    private static string Flatten(object? reply) => reply switch
    {
        object?[] items => "[" + string.Join(",", items.Select(Flatten)) + "]",
        byte[] b => Encoding.UTF8.GetString(b),
        _ => BinaryRespClient.Describe(reply),
    };
}
