using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>RESP3 shapes of string replies (nulls, the LCS IDX map), recorded from redis-server 7.0.15 after HELLO 3.</summary>
public class StringResp3Tests
{
    [Fact]
    public async Task Resp3Replies()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.StartsWith("%", c.Call("HELLO", "3"));
        Assert.Equal("_\r\n", c.Call("GET", "nope"));
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "v"));
        Assert.Equal("_\r\n", c.Call("SET", "k", "v", "NX"));
        Assert.Equal("$1\r\nv\r\n", c.Call("SET", "k", "v2", "NX", "GET"));
        Assert.Equal("_\r\n", c.Call("GETEX", "nope"));
        Assert.Equal("*2\r\n$1\r\nv\r\n_\r\n", c.Call("MGET", "k", "nope"));
        Assert.Equal("*2\r\n_\r\n:0\r\n", c.Call("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "4", "GET", "u2", "0"));
        c.Call("SET", "l1", "ohmytext");
        c.Call("SET", "l2", "mynewtext");
        Assert.Equal("%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
            c.Call("LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"));
        Assert.Equal("%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
            c.Call("LCS", "l1", "l2", "IDX"));
        Assert.Equal("$3\r\n1.5\r\n", c.Call("INCRBYFLOAT", "f", "1.5"));
    }
}
