using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>BITFIELD and BITFIELD_RO. The scripted replies were recorded from redis-server 7.0.15.</summary>
public class BitfieldTests
{
    private static readonly (string[] Command, string Reply)[] Script =
    [
        (["bitfield", "bf", "set", "i8", "0", "-100", "get", "u8", "0", "get", "i8", "0"], "*3\r\n:0\r\n:156\r\n:-100\r\n"),
        (["bitfield", "bf", "incrby", "i8", "0", "-100"], "*1\r\n:56\r\n"),
        (["bitfield", "bf", "overflow", "sat", "incrby", "i8", "0", "-100"], "*1\r\n:-44\r\n"),
        (["bitfield", "bf", "overflow", "fail", "incrby", "i8", "0", "-100", "incrby", "i8", "0", "1"], "*2\r\n$-1\r\n:-43\r\n"),
        (["bitfield", "bf", "overflow", "wrap", "incrby", "u8", "#1", "300"], "*1\r\n:44\r\n"),
        (["bitfield", "bf", "set", "u63", "0", "-1", "get", "u63", "0"], "*2\r\n:7680326214526959616\r\n:9223372036854775807\r\n"),
        (["bitfield", "bf", "set", "i64", "0", "-1", "get", "i64", "0", "incrby", "i64", "0", "1"], "*3\r\n:-2\r\n:-1\r\n:0\r\n"),
        (["bitfield", "bf", "overflow", "sat", "set", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "1"], "*2\r\n:0\r\n:9223372036854775807\r\n"),
        (["bitfield", "bf", "overflow", "fail", "incrby", "i64", "0", "1"], "*1\r\n$-1\r\n"),
        (["bitfield", "bf", "overflow", "wrap", "incrby", "i64", "0", "1"], "*1\r\n:-9223372036854775808\r\n"),
        (["bitfield", "bf", "overflow", "sat", "incrby", "i64", "0", "-9223372036854775808", "incrby", "i64", "0", "-9223372036854775808"], "*2\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n"),
        (["bitfield", "bf", "overflow", "sat", "set", "u8", "0", "-1", "set", "u8", "0", "256", "set", "u8", "0", "-256"], "*3\r\n:128\r\n:255\r\n:255\r\n"),
        (["bitfield", "bf", "overflow", "fail", "set", "u8", "0", "-1", "set", "u8", "0", "256"], "*2\r\n$-1\r\n$-1\r\n"),
        (["bitfield", "bf", "overflow", "wrap", "set", "u8", "0", "-1", "set", "i4", "0", "8"], "*2\r\n:255\r\n:-1\r\n"),
        (["bitfield", "bf", "get", "u8"], "-ERR syntax error\r\n"),
        (["bitfield", "bf", "get", "u8", "0", "set", "i8", "1"], "-ERR syntax error\r\n"),
        (["bitfield", "bf", "get", "u8", "a"], "-ERR bit offset is not an integer or out of range\r\n"),
        (["bitfield", "bf", "get", "u8", "#a"], "-ERR bit offset is not an integer or out of range\r\n"),
        (["bitfield", "bf", "get", "u8", "#-1"], "-ERR bit offset is not an integer or out of range\r\n"),
        (["bitfield", "bf", "get", "u0", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
        (["bitfield", "bf", "get", "x8", "0"], "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"),
        (["bitfield", "bf", "get", "u8", "0", "incrby", "u8", "0", "abc"], "-ERR value is not an integer or out of range\r\n"),
        (["bitfield", "bf", "overflow"], "-ERR syntax error\r\n"),
        (["bitfield", "bf"], "*0\r\n"),
        (["bitfield", "nope5"], "*0\r\n"),
        (["bitfield_ro", "nope5", "get", "u8", "0"], "*1\r\n:0\r\n"),
        (["bitfield_ro", "bf", "get", "i16", "#0", "get", "u3", "5"], "*2\r\n:-28928\r\n:7\r\n"),
        (["bitfield_ro", "bf", "incrby", "u8", "0", "1"], "-ERR BITFIELD_RO only supports the GET subcommand\r\n"),
        (["bitfield", "bf", "get", "u8", "4294967288"], "*1\r\n:0\r\n"),
        (["bitfield", "bf", "get", "i64", "#67108864"], "-ERR bit offset is not an integer or out of range\r\n"),
        (["bitfield", "nb", "set", "u1", "7", "1", "get", "u8", "0", "set", "u4", "#3", "15"], "*3\r\n:0\r\n:1\r\n:0\r\n"),
        (["get", "nb"], "$2\r\n\u0001\u000f\r\n"),
        (["bitfield", "nb", "overflow", "fail", "incrby", "u2", "0", "4", "overflow", "sat", "incrby", "u2", "0", "4", "overflow", "wrap", "incrby", "u2", "0", "4"], "*3\r\n$-1\r\n:3\r\n:3\r\n"),
        (["bitfield", "nb", "incrby", "i5", "100", "-17", "incrby", "i5", "100", "-17"], "*2\r\n:15\r\n:-2\r\n"),
    ];

    [Fact]
    public async Task ScriptMatchesRedis()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        foreach (var (command, reply) in Script)
        {
            Assert.Equal((string.Join(' ', command), reply), (string.Join(' ', command), c.Call(command)));
        }
    }

    [Fact]
    public async Task WritesMarkTheValueRawAndGrowIt()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "k", "a");
        Assert.Equal("*1\r\n:97\r\n", c.Call("BITFIELD", "k", "GET", "u8", "0"));
        Assert.False(StringCommandTests.Entry(server, "k")!.ForceRawEncoding);
        Assert.Equal("*1\r\n:0\r\n", c.Call("BITFIELD", "k", "SET", "u8", "#3", "66"));
        Assert.True(StringCommandTests.Entry(server, "k")!.ForceRawEncoding);
        Assert.Equal("$4\r\na\0\0B\r\n", c.Call("GET", "k"));
        // A FAIL overflow writes nothing but the key still exists and grew, as in Redis.
        Assert.Equal("*1\r\n$-1\r\n", c.Call("BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u8", "#1", "300"));
        Assert.Equal("$2\r\n\0\0\r\n", c.Call("GET", "n"));
    }

    [Fact]
    public async Task NonStringKeys()
    {
        await using var server = TestServer.Start();
        StringCommandTests.AddNonString(server, "h");
        var c = server.Raw();
        const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        Assert.Equal(WrongType, c.Call("BITFIELD", "h", "GET", "u8", "0"));
        Assert.Equal(WrongType, c.Call("BITFIELD", "h", "SET", "u8", "0", "1"));
        Assert.Equal(WrongType, c.Call("BITFIELD_RO", "h", "GET", "u8", "0"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("BITFIELD", "h", "foo"));
        Assert.Equal("-ERR BITFIELD_RO only supports the GET subcommand\r\n", c.Call("BITFIELD_RO", "h", "SET", "u8", "0", "1"));
    }

    [Fact]
    public async Task OffsetsObeyProtoMaxBulkLen()
    {
        await using var server = TestServer.Start(cfg => cfg.ProtoMaxBulkLen = 1048576);
        var c = server.Raw();
        const string BitOffset = "-ERR bit offset is not an integer or out of range\r\n";
        Assert.Equal("*1\r\n:0\r\n", c.Call("BITFIELD", "c", "SET", "u8", "8388600", "1"));
        Assert.Equal("*1\r\n:2\r\n", c.Call("BITFIELD", "c", "SET", "u8", "8388601", "1"));
        Assert.Equal("*1\r\n:64\r\n", c.Call("BITFIELD", "c", "SET", "u8", "8388607", "1"));
        Assert.Equal(BitOffset, c.Call("BITFIELD", "c", "GET", "u8", "8388608"));
        Assert.Equal("*1\r\n:0\r\n", c.Call("BITFIELD", "c", "SET", "u8", "#1048575", "1"));
        Assert.Equal(BitOffset, c.Call("BITFIELD", "c", "SET", "u8", "#1048576", "1"));
        // A field starting below the limit may end past it: the string grows beyond proto-max-bulk-len.
        Assert.Equal("*1\r\n:1\r\n", c.Call("BITFIELD", "c", "SET", "i64", "#131071", "1"));
        Assert.Equal("*1\r\n:-9151314442816847872\r\n", c.Call("BITFIELD", "c", "SET", "i64", "8388607", "1"));
        Assert.Equal(":1048584\r\n", c.Call("STRLEN", "c"));
    }

    [Fact]
    public async Task StackExchangeRedisExecute()
    {
        await using var server = TestServer.Start();
        var db = server.Db();
        var result = await db.ExecuteAsync("BITFIELD", "k", "SET", "i8", "0", "-100", "GET", "i8", "0");
        Assert.Equal([0L, -100L], ((StackExchange.Redis.RedisResult[])result!).Select(r => (long)r));
    }
}
