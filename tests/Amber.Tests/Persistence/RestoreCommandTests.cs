using System.Buffers.Binary;
using Amber.Persistence.Rdb;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// RESTORE with payloads made by real Redis's DUMP (every type and encoding), compared by DEBUG DIGEST-VALUE and
/// OBJECT ENCODING, and RESTORE's errors compared reply for reply with real Redis.
/// </summary>
public sealed class RestoreCommandTests
{
    private static TestServer StartAmber() => TestServer.Start(c => c.EnableDebugCommand = "yes");

    /// <summary>A DUMP payload around <paramref name="body"/> (type byte + value): RDB version and CRC64 appended.</summary>
    internal static byte[] Payload(byte[] body, int version = 10)
    {
        var payload = new byte[body.Length + 10];
        body.CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(body.Length), (ushort)version);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(body.Length + 2), Crc64.Compute(payload.AsSpan(0, body.Length + 2)));
        return payload;
    }

    private static byte[] Body(Action<RdbFixtureBuilder> value)
    {
        var b = new RdbFixtureBuilder(0);
        value(b);
        byte[] all = b.Eof(withChecksumField: false);
        // Drop the "REDIS0000" header and the EOF opcode the builder adds.
        return all[9..^1];
    }

    [SkippableFact]
    public async Task RestoresEveryTypeAndEncodingDumpedByRedis()
    {
        using var redis = RedisProcess.Start(extraArgs: RedisDataset.ServerArgs);
        using BinaryRespClient r = redis.Connect();
        RedisDataset.Populate(r);
        await using TestServer amber = StartAmber();
        using var a = new BinaryRespClient(amber.Port);
        int restored = 0;
        foreach (byte[] key in RedisDataset.Keys(r))
        {
            byte[] payload = r.Bulk("DUMP", key);
            long pttl = (long)r.Call("PTTL", key)!;
            Assert.Equal("OK", a.Call("RESTORE", key, pttl > 0 ? pttl : 0, payload));
            Assert.Equal(RdbRedisFileTests.DigestValue(r, key), RdbRedisFileTests.DigestValue(a, key));
            Assert.Equal(r.Text("OBJECT", "ENCODING", key) is "int" or "embstr" or "raw" ? "string" : r.Text("OBJECT", "ENCODING", key),
                a.Text("OBJECT", "ENCODING", key) is "int" or "embstr" or "raw" ? "string" : a.Text("OBJECT", "ENCODING", key));
            if (pttl > 0)
            {
                Assert.InRange((long)a.Call("PTTL", key)!, pttl - 5000, pttl);
            }
            restored++;
        }
        Assert.True(restored > 20);
    }

    /// <summary>Commands whose replies must be the same from Redis and Amber, with "exists" holding a string in both.</summary>
    private static IEnumerable<object[]> ErrorCommands(byte[] good)
    {
        byte[] badCrc = (byte[])good.Clone();
        badCrc[^1] ^= 1;
        byte[] bodyFlip = (byte[])good.Clone();
        bodyFlip[1] ^= 0x40;
        yield return ["RESTORE", "exists", "0", good];
        yield return ["RESTORE", "exists", "-1", good];
        yield return ["RESTORE", "exists", "0", good, "BADOPT"];
        yield return ["RESTORE", "new", "-1", good];
        yield return ["RESTORE", "new", "abc", good];
        yield return ["RESTORE", "new", "0", badCrc];
        yield return ["RESTORE", "new", "0", bodyFlip];
        yield return ["RESTORE", "new", "0", "short"u8.ToArray()];
        yield return ["RESTORE", "new", "0", Array.Empty<byte>()];
        yield return ["RESTORE", "new", "0", Payload(good[..^10], version: 11)];
        yield return ["RESTORE", "new", "0", good, "IDLETIME", "-1"];
        yield return ["RESTORE", "new", "0", good, "IDLETIME", "x"];
        yield return ["RESTORE", "new", "0", good, "IDLETIME"];
        yield return ["RESTORE", "new", "0", good, "FREQ", "256"];
        yield return ["RESTORE", "new", "0", good, "FREQ", "-1"];
        yield return ["RESTORE", "new", "0", good, "FREQ", "1", "IDLETIME", "1"];
        yield return ["RESTORE", "new", "0", good, "IDLETIME", "1", "FREQ", "1"];
        yield return ["RESTORE", "new", "0", good, "REPLACE", "ABSTTL", "IDLETIME", "10"];
        yield return ["RESTORE", "exists", "0", good, "REPLACE"];
        yield return ["RESTORE", "past", "1", good, "ABSTTL"];
        yield return ["EXISTS", "past"];
        yield return ["RESTORE", "new2", "0", good, "FREQ", "3"];
        yield return ["RESTORE", "new"];
        // Bad data behind a good checksum (Redis run with sanitize-dump-payload yes, as Amber always validates).
        yield return ["RESTORE", "bad1", "0", Payload(Body(b => b.Byte(16).Str(RdbFixtureBuilder.Listpack(["f", "1", "f", "2"]))))];
        yield return ["RESTORE", "bad2", "0", Payload(Body(b => b.Byte(18).Len(0)))];
        yield return ["RESTORE", "bad3", "0", Payload(Body(b => b.Byte(11).Str(RdbFixtureBuilder.Intset(2, 3, 1))))];
        yield return ["RESTORE", "bad4", "0", Payload(Body(b => b.Byte(5).Len(1).Str("m").BinaryDouble(double.NaN)))];
        yield return ["RESTORE", "bad5", "0", Payload(Body(b => b.Byte(42).Str("v")))];
        yield return ["RESTORE", "bad6", "0", Payload(Body(b => b.Byte(0).Byte(0x80).Raw([0x7F, 0xFF, 0xFF, 0xFF]).Str("x")))];
        yield return ["RESTORE", "bad7", "0", Payload(Body(b => b.Byte(18).Len(1).Len(2).Str(RdbFixtureBuilder.Listpack(["a"], headerCount: 2))))];
        yield return ["RESTORE", "bad8", "0", Payload(Body(b => b.Byte(2).Len(2).Str("a").Str("a")))];
        yield return ["RESTORE", "legacy", "0", Payload(Body(b => b.Byte(13).Str(RdbFixtureBuilder.Ziplist(["f", "v"]))), version: 6)];
        yield return ["HGETALL", "legacy"];
        yield return ["OBJECT", "ENCODING", "legacy"];
    }

    [SkippableFact]
    public async Task ErrorsAndOptionsMatchRedis()
    {
        using var redis = RedisProcess.Start(extraArgs: "--sanitize-dump-payload yes");
        using BinaryRespClient r = redis.Connect();
        await using TestServer amber = StartAmber();
        using var a = new BinaryRespClient(amber.Port);
        r.Call("SET", "source", "hello world");
        byte[] good = r.Bulk("DUMP", "source");
        r.Call("SET", "exists", "x");
        a.Call("SET", "exists", "x");
        foreach (object[] command in ErrorCommands(good))
        {
            string expected = BinaryRespClient.Describe(r.Call(command));
            string actual = BinaryRespClient.Describe(a.Call(command));
            Assert.True(expected == actual, $"{command[0]} {command[1]} {(command.Length > 2 ? command[2] : "")}: Redis {expected}, Amber {actual}");
        }
        Assert.Equal(r.Call("GET", "exists"), a.Call("GET", "exists"));
    }

    [Fact]
    public async Task IdleTimeAndFrequencyAreApplied()
    {
        byte[] payload = Payload(Body(b => b.Byte(0).Str("value")));
        await using TestServer amber = StartAmber();
        using var a = new BinaryRespClient(amber.Port);
        Assert.Equal("OK", a.Call("RESTORE", "idle", "0", payload, "IDLETIME", "1000"));
        Assert.InRange((long)a.Call("OBJECT", "IDLETIME", "idle")!, 1000, 1002);
        Assert.Equal("OK", a.Call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"));
        Assert.Equal("OK", a.Call("RESTORE", "hot", "0", payload, "FREQ", "100"));
        Assert.Equal(100L, a.Call("OBJECT", "FREQ", "hot"));
        Assert.Equal("OK", a.Call("RESTORE", "ttl", "50000", payload));
        Assert.InRange((long)a.Call("PTTL", "ttl")!, 45000, 50000);
        long at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 100_000;
        Assert.Equal("OK", a.Call("RESTORE", "abs", at, payload, "ABSTTL"));
        Assert.Equal(at, a.Call("PEXPIRETIME", "abs"));
    }

    [Fact]
    public async Task ValuesAreBuiltUnderTheServersEncodingLimits()
    {
        // A 3-field hash listpack payload loads as a hashtable when hash-max-listpack-entries is 2, as HSET would make it.
        byte[] payload = Payload(Body(b => b.Byte(16).Str(RdbFixtureBuilder.Listpack(["a", "1", "b", "2", "c", "3"]))));
        await using TestServer amber = TestServer.Start(c => c.HashMaxListpackEntries = 2);
        using var a = new BinaryRespClient(amber.Port);
        Assert.Equal("OK", a.Call("RESTORE", "h", "0", payload));
        Assert.Equal("hashtable", a.Text("OBJECT", "ENCODING", "h"));
        Assert.Equal(3L, a.Call("HLEN", "h"));
    }
}
