using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>SWAPDB MOVE FLUSHDB FLUSHALL DBSIZE.</summary>
public class DatabaseCommandsTests
{
    [Fact]
    public async Task SwapDbExchangesContentsIncludingTimesToLive()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var other = server.Raw();
        c.Call("SET", "a", "in0");
        c.Call("EXPIRE", "a", "100");
        c.Call("SELECT", "2");
        c.Call("SET", "b", "in2");
        c.Call("SET", "c", "in2");
        Assert.Equal("+OK\r\n", c.Call("SWAPDB", "0", "2"));
        // The connection stays on database 2, which now holds the old database 0.
        Assert.Equal(":1\r\n", c.Call("DBSIZE"));
        Assert.Equal("$3\r\nin0\r\n", c.Call("GET", "a"));
        Assert.Equal(":100\r\n", c.Call("TTL", "a"));
        Assert.Equal(":2\r\n", other.Call("DBSIZE"));
        Assert.Equal("$3\r\nin2\r\n", other.Call("GET", "b"));
        Assert.Equal("+OK\r\n", c.Call("SWAPDB", "2", "2"));
        Assert.Equal(":1\r\n", c.Call("DBSIZE"));
        // Expiry keeps working on swapped databases.
        c.Call("PEXPIRE", "a", "10");
        KeyCommandsTests.WaitUntil(() => c.Call("DBSIZE") == ":0\r\n", "the swapped key to expire");
    }

    [Theory]
    [InlineData(new[] { "0" }, "-ERR wrong number of arguments for 'swapdb' command\r\n")]
    [InlineData(new[] { "0", "1", "2" }, "-ERR wrong number of arguments for 'swapdb' command\r\n")]
    [InlineData(new[] { "a", "1" }, "-ERR invalid first DB index\r\n")]
    [InlineData(new[] { "a", "b" }, "-ERR invalid first DB index\r\n")]
    [InlineData(new[] { "0", "b" }, "-ERR invalid second DB index\r\n")]
    [InlineData(new[] { "99999999999", "0" }, "-ERR invalid first DB index\r\n")]
    [InlineData(new[] { "0", "99999999999" }, "-ERR invalid second DB index\r\n")]
    [InlineData(new[] { "0", "16" }, "-ERR DB index is out of range\r\n")]
    [InlineData(new[] { "-1", "0" }, "-ERR DB index is out of range\r\n")]
    [InlineData(new[] { "16", "x" }, "-ERR invalid second DB index\r\n")]
    public async Task SwapDbErrors(string[] args, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(expected, c.Call(["SWAPDB", .. args]));
    }

    [Fact]
    public async Task MoveTransfersKeyAndTimeToLive()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("MOVE", "nokey", "1"));
        c.Call("SET", "a", "1");
        c.Call("PEXPIRE", "a", "100000");
        Assert.Equal(":1\r\n", c.Call("MOVE", "a", "2"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "a"));
        c.Call("SELECT", "2");
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "a"));
        Assert.InRange(long.Parse(c.Call("PTTL", "a").Trim(':', '\r', '\n')), 90000, 100000);
        // Not moved when the name is taken in the target database.
        c.Call("SELECT", "0");
        c.Call("SET", "a", "0");
        Assert.Equal(":0\r\n", c.Call("MOVE", "a", "2"));
        Assert.Equal("$1\r\n0\r\n", c.Call("GET", "a"));
        Assert.Equal(":1\r\n", c.Call("MOVE", "a", "3"));
    }

    [Theory]
    [InlineData(new[] { "a", "0" }, "-ERR source and destination objects are the same\r\n")]
    [InlineData(new[] { "nokey", "0" }, "-ERR source and destination objects are the same\r\n")]
    [InlineData(new[] { "a", "16" }, "-ERR DB index is out of range\r\n")]
    [InlineData(new[] { "a", "-1" }, "-ERR DB index is out of range\r\n")]
    [InlineData(new[] { "a", "x" }, "-ERR value is not an integer or out of range\r\n")]
    [InlineData(new[] { "a", "99999999999" }, "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")]
    [InlineData(new[] { "a" }, "-ERR wrong number of arguments for 'move' command\r\n")]
    public async Task MoveErrors(string[] args, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal(expected, c.Call(["MOVE", .. args]));
    }

    [Fact]
    public async Task FlushDbEmptiesOnlyTheSelectedDatabase()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("DBSIZE"));
        foreach (string mode in new[] { "", "SYNC", "async" })
        {
            c.Call("SELECT", "0");
            c.Call("SET", "a", "1");
            c.Call("SET", "b", "1");
            c.Call("EXPIRE", "b", "100");
            c.Call("SELECT", "1");
            c.Call("SET", "a", "1");
            c.Call("SELECT", "0");
            Assert.Equal(":2\r\n", c.Call("DBSIZE"));
            Assert.Equal("+OK\r\n", mode.Length == 0 ? c.Call("FLUSHDB") : c.Call("FLUSHDB", mode));
            Assert.Equal(":0\r\n", c.Call("DBSIZE"));
            Assert.Equal("*0\r\n", c.Call("KEYS", "*"));
            Assert.Equal(0, server.Server.Databases[0].VolatileCount);
            c.Call("SELECT", "1");
            Assert.Equal(":1\r\n", c.Call("DBSIZE"));
            c.Call("FLUSHDB");
        }
        Assert.Equal("-ERR syntax error\r\n", c.Call("FLUSHDB", "foo"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("FLUSHDB", "SYNC", "x"));
    }

    [Fact]
    public async Task FlushAllEmptiesEveryDatabase()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        foreach (string mode in new[] { "", "ASYNC", "sync" })
        {
            for (int db = 0; db < 16; db += 5)
            {
                c.Call("SELECT", db.ToString(System.Globalization.CultureInfo.InvariantCulture));
                c.Call("SET", "k", "v");
                c.Call("EXPIRE", "k", "100");
                c.Call("SET", "j", "v");
            }
            Assert.Equal(":2\r\n", c.Call("DBSIZE"));
            Assert.Equal("+OK\r\n", mode.Length == 0 ? c.Call("FLUSHALL") : c.Call("FLUSHALL", mode));
            for (int db = 0; db < 16; db++)
            {
                Assert.Equal(0, server.Server.Databases[db].Count);
                Assert.Equal(0, server.Server.Databases[db].VolatileCount);
            }
        }
        Assert.Equal("-ERR syntax error\r\n", c.Call("FLUSHALL", "foo"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("FLUSHALL", "async", "x"));
    }

    [Fact]
    public async Task DbSizeCountsKeysOfTheSelectedDatabase()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        for (int i = 0; i < 25; i++)
        {
            c.Call("SET", "k" + i, "v");
        }
        Assert.Equal(":25\r\n", c.Call("DBSIZE"));
        c.Call("SELECT", "15");
        Assert.Equal(":0\r\n", c.Call("DBSIZE"));
        Assert.Equal("-ERR wrong number of arguments for 'dbsize' command\r\n", c.Call("DBSIZE", "x"));
    }
}
