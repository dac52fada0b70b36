using Amber.Tests.Infrastructure;

namespace Amber.Tests;

public class ProtocolTests
{
    [Fact]
    public async Task InlineAndMultibulkBothWork()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("PING\r\n");
        Assert.Equal("+PONG\r\n", c.ReadReply());
        c.Send("set \"a b\" 'x y'\r\n");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("$3\r\nx y\r\n", c.Call("GET", "a b"));
    }

    [Fact]
    public async Task RequestSplitAtEveryByteIsParsed()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        byte[] request = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"u8.ToArray();
        for (int i = 0; i < request.Length; i++)
        {
            c.Send(request.AsSpan(i, 1));
        }
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("$5\r\nhello\r\n", c.ReadReply());
    }

    [Theory]
    [InlineData("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n+foo\r\n", "-ERR Protocol error: expected '$', got '+'\r\n")]
    [InlineData("set \"abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public async Task MalformedInputGetsRedisErrorAndClosesOnlyThatConnection(string input, string expected)
    {
        await using var server = TestServer.Start();
        using var bad = server.Raw();
        using var good = server.Raw();
        bad.Send(input);
        Assert.Equal(expected, bad.ReadReply());
        Assert.True(bad.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.Equal("+PONG\r\n", good.Call("PING"));
    }

    [Fact]
    public async Task StackExchangeRedisRoundTrip()
    {
        await using var server = TestServer.Start();
        var db = server.Db();
        Assert.True(await db.StringSetAsync("key", "value"));
        Assert.Equal("value", (string?)await db.StringGetAsync("key"));
    }
}
