using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>SETBIT GETBIT BITCOUNT BITPOS BITOP. Expected replies were taken from redis-server 7.0.15.</summary>
public class BitCommandTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    private const string Syntax = "-ERR syntax error\r\n";
    private const string NotInteger = "-ERR value is not an integer or out of range\r\n";
    private const string BitOffset = "-ERR bit offset is not an integer or out of range\r\n";

    [Fact]
    public async Task SetBitAndGetBit()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("SETBIT", "b", "7", "1"));
        Assert.Equal("$1\r\n\u0001\r\n", c.Call("GET", "b"));
        Assert.Equal(":1\r\n", c.Call("SETBIT", "b", "7", "0"));
        Assert.Equal(":0\r\n", c.Call("SETBIT", "b", "100", "1"));
        Assert.Equal(":13\r\n", c.Call("STRLEN", "b"));
        Assert.Equal(":1\r\n", c.Call("GETBIT", "b", "100"));
        Assert.Equal(":0\r\n", c.Call("GETBIT", "b", "101"));
        Assert.Equal(":0\r\n", c.Call("GETBIT", "b", "1000000"));
        Assert.Equal(":0\r\n", c.Call("GETBIT", "missing", "5"));
        Assert.True(StringCommandTests.Entry(server, "b")!.ForceRawEncoding);

        c.Call("SET", "s", "`"); // 0110 0000
        Assert.Equal(":1\r\n", c.Call("GETBIT", "s", "1"));
        Assert.Equal(":1\r\n", c.Call("GETBIT", "s", "2"));
        Assert.Equal(":0\r\n", c.Call("GETBIT", "s", "3"));
        Assert.False(StringCommandTests.Entry(server, "s")!.ForceRawEncoding);
        Assert.Equal(":1\r\n", c.Call("SETBIT", "s", "2", "1"));
        Assert.True(StringCommandTests.Entry(server, "s")!.ForceRawEncoding);

        var db = server.Db();
        Assert.False(await db.StringSetBitAsync("se", 3, true));
        Assert.True(await db.StringGetBitAsync("se", 3));
    }

    [Theory]
    [InlineData(new[] { "SETBIT", "b", "1", "-1" }, "-ERR bit is not an integer or out of range\r\n")]
    [InlineData(new[] { "SETBIT", "b", "1", "2" }, "-ERR bit is not an integer or out of range\r\n")]
    [InlineData(new[] { "SETBIT", "b", "1", "abc" }, "-ERR bit is not an integer or out of range\r\n")]
    [InlineData(new[] { "SETBIT", "b", "-1", "1" }, BitOffset)]
    [InlineData(new[] { "SETBIT", "b", "abc", "1" }, BitOffset)]
    [InlineData(new[] { "SETBIT", "b", "4294967296", "1" }, BitOffset)]
    [InlineData(new[] { "GETBIT", "b", "4294967296" }, BitOffset)]
    [InlineData(new[] { "GETBIT", "b", "-1" }, BitOffset)]
    [InlineData(new[] { "GETBIT", "b", "abc" }, BitOffset)]
    [InlineData(new[] { "GETBIT", "b", "4294967295" }, ":0\r\n")]
    [InlineData(new[] { "BITCOUNT", "missing", "a", "b" }, ":0\r\n")]
    [InlineData(new[] { "BITCOUNT", "missing", "1" }, ":0\r\n")]
    [InlineData(new[] { "BITPOS", "missing", "1", "a", "b", "c", "d" }, ":-1\r\n")]
    [InlineData(new[] { "BITPOS", "missing", "0" }, ":0\r\n")]
    [InlineData(new[] { "BITPOS", "missing", "2" }, "-ERR The bit argument must be 1 or 0.\r\n")]
    [InlineData(new[] { "BITPOS", "missing", "a" }, NotInteger)]
    [InlineData(new[] { "BITOP", "nand", "d", "a" }, Syntax)]
    [InlineData(new[] { "BITOP", "not", "d", "a", "b" }, "-ERR BITOP NOT must be called with a single source key.\r\n")]
    [InlineData(new[] { "BITOP", "and", "d" }, "-ERR wrong number of arguments for 'bitop' command\r\n")]
    [InlineData(new[] { "BITOP", "and", "d", "x", "y" }, ":0\r\n")]
    public async Task ErrorsAndMissingKeys(string[] command, string expected)
    {
        await using var server = TestServer.Start();
        Assert.Equal(expected, server.Raw().Call(command));
    }

    [Theory]
    [InlineData(new string[0], ":26\r\n")]
    [InlineData(new[] { "0", "0" }, ":4\r\n")]
    [InlineData(new[] { "1", "1" }, ":6\r\n")]
    [InlineData(new[] { "1", "1", "bit" }, ":1\r\n")]
    [InlineData(new[] { "5", "30", "BIT" }, ":17\r\n")]
    [InlineData(new[] { "-1", "-1" }, ":4\r\n")]
    [InlineData(new[] { "-5", "-1", "bit" }, ":2\r\n")]
    [InlineData(new[] { "-1", "-2" }, ":0\r\n")]
    [InlineData(new[] { "-1", "-2", "foo" }, ":0\r\n")]
    [InlineData(new[] { "9223372036854775807", "-9223372036854775808" }, ":0\r\n")]
    [InlineData(new[] { "-9223372036854775808", "9223372036854775807", "bit" }, ":26\r\n")]
    [InlineData(new[] { "1" }, Syntax)]
    [InlineData(new[] { "1", "2", "3" }, Syntax)]
    [InlineData(new[] { "0", "1", "foo" }, Syntax)]
    [InlineData(new[] { "0", "1", "byte", "x" }, Syntax)]
    [InlineData(new[] { "a", "1" }, NotInteger)]
    [InlineData(new[] { "0", "a" }, NotInteger)]
    public async Task BitCount(string[] range, string expected)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "s", "foobar");
        Assert.Equal(expected, c.Call(["BITCOUNT", "s", .. range]));
    }

    [Theory]
    [InlineData("\xff\xf0\x00", new[] { "0" }, ":12\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "1", "2" }, ":-1\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "0", "0", "0" }, ":-1\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "0", "0", "-1" }, ":12\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "1", "7", "15", "bit" }, ":7\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "0", "7", "11", "BIT" }, ":-1\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "0", "12", "bit" }, NotInteger)]
    [InlineData("\xff\xf0\x00", new[] { "0", "12", "-1", "bit" }, ":12\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "1", "-1", "-1", "byte" }, ":-1\r\n")]
    [InlineData("\xff\xf0\x00", new[] { "0", "-1", "-1", "bit" }, ":23\r\n")]
    [InlineData("\xff\xff\xff", new[] { "0" }, ":24\r\n")]
    [InlineData("\xff\xff\xff", new[] { "0", "0" }, ":24\r\n")]
    [InlineData("\xff\xff\xff", new[] { "0", "0", "-1" }, ":-1\r\n")]
    [InlineData("\xff\xff\xff", new[] { "0", "1", "bit" }, NotInteger)]
    [InlineData("\xff\xff\xff", new[] { "0", "1", "-1", "bit" }, ":-1\r\n")]
    [InlineData("\xff\xff\xff", new[] { "0", "1", "20", "bit" }, ":-1\r\n")]
    [InlineData("\xff\xff\xff", new[] { "1", "1", "20", "bit" }, ":1\r\n")]
    [InlineData("\xff\xff\xff", new[] { "0", "100", "200" }, ":-1\r\n")]
    [InlineData("\x00\x00\x00", new[] { "1" }, ":-1\r\n")]
    [InlineData("\x00\x00\x00", new[] { "0" }, ":0\r\n")]
    [InlineData("\x00\x00\x00", new[] { "1", "3", "5", "bit" }, ":-1\r\n")]
    [InlineData("\x00\x00\x00", new[] { "0", "3", "5", "bit" }, ":3\r\n")]
    [InlineData("\x00\x00\x01", new[] { "1", "-1" }, ":23\r\n")]
    [InlineData("\x00\x00\x01", new[] { "1", "0", "22", "bit" }, ":-1\r\n")]
    [InlineData("\x00\x00\x00", new[] { "1", "0", "1", "bit", "extra" }, Syntax)]
    [InlineData("\x00\x00\x00", new[] { "1", "0", "1", "foo" }, Syntax)]
    [InlineData("\x00\x00\x00", new[] { "1", "a" }, NotInteger)]
    public async Task BitPos(string value, string[] args, string expected)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Send(Resp("SET", "s", value));
        Assert.Equal("+OK\r\n", c.ReadReply());
        c.Send(Resp(["BITPOS", "s", .. args]));
        Assert.Equal(expected, c.ReadReply());
    }

    [Fact]
    public async Task EmptyStringBitmaps()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("APPEND", "e", "");
        Assert.Equal(":-1\r\n", c.Call("BITPOS", "e", "0"));
        Assert.Equal(":-1\r\n", c.Call("BITPOS", "e", "1"));
        Assert.Equal(":-1\r\n", c.Call("BITPOS", "e", "0", "0"));
        Assert.Equal(":0\r\n", c.Call("BITCOUNT", "e"));
        Assert.Equal(":0\r\n", c.Call("BITCOUNT", "e", "0", "-1"));
    }

    [Fact]
    public async Task BitOpCombinesAndStoresRaw()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        var db = server.Db();
        c.Send(Resp("MSET", "a", "foobar", "b", "\xff\xf0\x00", "c", "\xff\xff\xff"));
        c.ReadReply();
        Assert.Equal(":6\r\n", c.Call("BITOP", "and", "d", "a", "b", "nope"));
        Assert.Equal(Bytes("\0\0\0\0\0\0"), (byte[]?)db.StringGet("d"));
        Assert.Equal(":6\r\n", c.Call("BITOP", "AND", "d", "a", "b"));
        Assert.Equal(Bytes("f`\0\0\0\0"), (byte[]?)db.StringGet("d"));
        Assert.Equal(":6\r\n", c.Call("BITOP", "or", "d", "a", "b"));
        Assert.Equal(Bytes("\xff\xffobar"), (byte[]?)db.StringGet("d"));
        Assert.Equal(":6\r\n", c.Call("BITOP", "xor", "d", "a", "b", "c"));
        Assert.Equal(Bytes("f`\x90\x62\x61\x72"), (byte[]?)db.StringGet("d"));
        Assert.Equal(":3\r\n", c.Call("BITOP", "not", "d", "b"));
        Assert.Equal(Bytes("\x00\x0f\xff"), (byte[]?)db.StringGet("d"));
        Assert.True(StringCommandTests.Entry(server, "d")!.ForceRawEncoding);
        // Sources that are all missing or empty delete the destination.
        Assert.Equal(":0\r\n", c.Call("BITOP", "not", "d", "nope"));
        Assert.Null(StringCommandTests.Entry(server, "d"));
        // The destination may be a source; its TTL is dropped.
        c.Call("SET", "t", "ab", "EX", "100");
        Assert.Equal(":2\r\n", c.Call("BITOP", "or", "t", "t"));
        Assert.False(StringCommandTests.Entry(server, "t")!.HasExpiry);

        // Longer than a machine word, with a tail.
        string x = new('\x0f', 21), y = new('\xf3', 19);
        c.Send(Resp("MSET", "x", x, "y", y));
        c.ReadReply();
        Assert.Equal(":21\r\n", c.Call("BITOP", "and", "z", "x", "y"));
        Assert.Equal(Bytes(new string('\x03', 19) + "\0\0"), (byte[]?)db.StringGet("z"));
        Assert.Equal(":21\r\n", c.Call("BITOP", "or", "z", "x", "y"));
        Assert.Equal(Bytes(new string('\xff', 19) + "\x0f\x0f"), (byte[]?)db.StringGet("z"));

        Assert.Equal(6, await db.StringBitOperationAsync(Bitwise.Or, "se", "a", "b"));
        Assert.Equal(26, await db.StringBitCountAsync("a"));
        Assert.Equal(12, await db.StringBitPositionAsync("b", false));
    }

    [Fact]
    public async Task NonStringKeys()
    {
        await using var server = TestServer.Start();
        StringCommandTests.AddNonString(server, "h");
        var c = server.Raw();
        foreach (string[] command in new[]
        {
            new[] { "SETBIT", "h", "0", "1" }, ["GETBIT", "h", "0"], ["BITCOUNT", "h"], ["BITCOUNT", "h", "1"],
            ["BITPOS", "h", "1"], ["BITOP", "and", "d", "h"], ["BITOP", "not", "d", "h"],
        })
        {
            Assert.Equal(WrongType, c.Call(command));
        }
        Assert.Equal("-ERR bit is not an integer or out of range\r\n", c.Call("SETBIT", "h", "0", "5"));
        Assert.Equal(BitOffset, c.Call("GETBIT", "h", "-1"));
        Assert.Equal("-ERR The bit argument must be 1 or 0.\r\n", c.Call("BITPOS", "h", "3"));
        // The destination's type does not matter: it is replaced, or deleted when the result is empty.
        Assert.Equal(":0\r\n", c.Call("BITOP", "or", "h", "nope"));
        Assert.Null(StringCommandTests.Entry(server, "h"));
        StringCommandTests.AddNonString(server, "h");
        c.Call("SET", "src", "x");
        Assert.Equal(":1\r\n", c.Call("BITOP", "or", "h", "src"));
        Assert.Equal("$1\r\nx\r\n", c.Call("GET", "h"));
    }

    [Fact]
    public async Task BitOffsetsObeyProtoMaxBulkLen()
    {
        await using var server = TestServer.Start(cfg => cfg.ProtoMaxBulkLen = 1048576);
        var c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("SETBIT", "b", "8388607", "1"));
        Assert.Equal(BitOffset, c.Call("SETBIT", "b", "8388608", "1"));
        Assert.Equal(BitOffset, c.Call("GETBIT", "b", "8388608"));
        Assert.Equal(":1\r\n", c.Call("GETBIT", "b", "8388607"));
        Assert.Equal(":1048576\r\n", c.Call("STRLEN", "b"));
    }

    /// <summary>Encodes a command whose arguments are Latin-1 strings (one char = one byte).</summary>
    internal static byte[] Resp(params string[] args)
    {
        var bytes = new List<byte>();
        void Add(string s) => bytes.AddRange(System.Text.Encoding.Latin1.GetBytes(s));
        Add($"*{args.Length}\r\n");
        foreach (string a in args)
        {
            Add($"${a.Length}\r\n");
            Add(a);
            Add("\r\n");
        }
        return bytes.ToArray();
    }

    private static byte[] Bytes(string latin1) => System.Text.Encoding.Latin1.GetBytes(latin1);
}
