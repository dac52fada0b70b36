using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Lists through the generic key commands: TYPE, OBJECT ENCODING, COPY.</summary>
public class ListKeyIntegrationTests
{
    [Fact]
    public async Task TypeEncodingAndCopyWorkForLists()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(":3\r\n", c.Call("RPUSH", "l", "a", "b", "c"));
        Assert.Equal("+list\r\n", c.Call("TYPE", "l"));
        Assert.Equal("$9\r\nquicklist\r\n", c.Call("OBJECT", "ENCODING", "l"));
        Assert.Equal(":1\r\n", c.Call("COPY", "l", "l2"));
        Assert.Equal(":4\r\n", c.Call("RPUSH", "l2", "d"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", c.Call("LRANGE", "l", "0", "-1"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", c.Call("LRANGE", "l2", "0", "-1"));
    }
}
