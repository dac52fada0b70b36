using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST, lazy and active expiry.</summary>
public class ExpireCommandsTests
{
    private static long Integer(string reply)
    {
        Assert.StartsWith(":", reply);
        return long.Parse(reply.AsSpan(1, reply.Length - 3));
    }

    [Fact]
    public async Task TtlFamilyReportsMissingNoExpiryAndRemainingTime()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        foreach (string cmd in new[] { "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME" })
        {
            Assert.Equal(":-2\r\n", c.Call(cmd, "nokey"));
        }
        c.Call("SET", "k", "v");
        foreach (string cmd in new[] { "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME" })
        {
            Assert.Equal(":-1\r\n", c.Call(cmd, "k"));
            Assert.Equal($"-ERR wrong number of arguments for '{cmd.ToLowerInvariant()}' command\r\n", c.Call(cmd, "k", "x"));
        }
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "100"));
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(":100\r\n", c.Call("TTL", "k"));
        Assert.InRange(Integer(c.Call("PTTL", "k")), 99000, 100000);
        Assert.InRange(Integer(c.Call("PEXPIRETIME", "k")), before + 100000, after + 100000);
        Assert.InRange(Integer(c.Call("EXPIRETIME", "k")), (before + 100000) / 1000, (after + 100000 + 999) / 1000);

        Assert.Equal(":1\r\n", c.Call("PEXPIRE", "k", "5000"));
        Assert.InRange(Integer(c.Call("PTTL", "k")), 4000, 5000);
        Assert.Equal(":1\r\n", c.Call("EXPIREAT", "k", "4102444800"));
        Assert.Equal(":4102444800\r\n", c.Call("EXPIRETIME", "k"));
        Assert.Equal(":4102444800000\r\n", c.Call("PEXPIRETIME", "k"));
        Assert.Equal(":1\r\n", c.Call("PEXPIREAT", "k", "4102444800123"));
        Assert.Equal(":4102444800123\r\n", c.Call("PEXPIRETIME", "k"));
        Assert.Equal(":4102444800\r\n", c.Call("EXPIRETIME", "k"));
        Assert.Equal(":1\r\n", c.Call("PEXPIREAT", "k", "4102444800500"));
        Assert.Equal(":4102444801\r\n", c.Call("EXPIRETIME", "k"));
    }

    [Fact]
    public async Task ExtremeExpireTimesMatchRedisOutput()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal(":1\r\n", c.Call("PEXPIREAT", "k", "9223372036854775807"));
        Assert.Equal(":9223372036854775807\r\n", c.Call("PEXPIRETIME", "k"));
        // Rounded to seconds without wrapping around, as Redis prints it.
        Assert.Equal(":9223372036854776\r\n", c.Call("EXPIRETIME", "k"));
        Assert.Equal(":1\r\n", c.Call("EXPIREAT", "k", "9223372036854775"));
        Assert.Equal(":9223372036854775\r\n", c.Call("EXPIRETIME", "k"));
        Assert.True(Integer(c.Call("TTL", "k")) > 9_000_000_000_000_000);
    }

    [Theory]
    [InlineData("EXPIRE", "9223372036854775807")]
    [InlineData("EXPIRE", "9223372036854775")]
    [InlineData("EXPIRE", "9223372036854774")]
    [InlineData("EXPIRE", "-9223372036854776")]
    [InlineData("EXPIREAT", "9223372036854776")]
    [InlineData("PEXPIRE", "9223372036854775807")]
    public async Task OverflowingTimesAreInvalid(string command, string value)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal($"-ERR invalid expire time in '{command.ToLowerInvariant()}' command\r\n", c.Call(command, "k", value));
        Assert.Equal(":-1\r\n", c.Call("TTL", "k"));
        // Checked before the key is looked up.
        Assert.Equal($"-ERR invalid expire time in '{command.ToLowerInvariant()}' command\r\n", c.Call(command, "nokey", value));
    }

    [Theory]
    [InlineData("EXPIRE", "-1")]
    [InlineData("EXPIRE", "0")]
    [InlineData("EXPIRE", "-9223372036854775")]
    [InlineData("PEXPIRE", "-9223372036854775808")]
    [InlineData("EXPIREAT", "1")]
    [InlineData("PEXPIREAT", "0")]
    [InlineData("PEXPIREAT", "-5")]
    public async Task TimeInThePastDeletesTheKey(string command, string value)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal(":1\r\n", c.Call(command, "k", value));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "k"));
        Assert.Equal(":0\r\n", c.Call("DBSIZE"));
        Assert.Equal(":0\r\n", c.Call(command, "k", value));
    }

    [Theory]
    [InlineData(new[] { "k", "abc", "nx", "xx" }, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")]
    [InlineData(new[] { "k", "10", "nx", "xx" }, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")]
    [InlineData(new[] { "k", "10", "NX", "gt" }, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")]
    [InlineData(new[] { "k", "10", "lt", "nx" }, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")]
    [InlineData(new[] { "k", "10", "gt", "LT" }, "-ERR GT and LT options at the same time are not compatible\r\n")]
    [InlineData(new[] { "k", "10", "foo" }, "-ERR Unsupported option foo\r\n")]
    [InlineData(new[] { "k", "10", "xx", "foo" }, "-ERR Unsupported option foo\r\n")]
    [InlineData(new[] { "k", "abc" }, "-ERR value is not an integer or out of range\r\n")]
    [InlineData(new[] { "k", "1.5" }, "-ERR value is not an integer or out of range\r\n")]
    [InlineData(new[] { "nokey", "abc" }, "-ERR value is not an integer or out of range\r\n")]
    [InlineData(new[] { "k" }, "-ERR wrong number of arguments for 'expire' command\r\n")]
    public async Task ExpireErrors(string[] args, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal(expected, c.Call(["EXPIRE", .. args]));
    }

    [Fact]
    public async Task ConditionsNxXxGtLt()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "nokey", "10"));
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "nokey", "10", "NX"));
        c.Call("SET", "k", "v");
        // No TTL counts as infinite: GT never applies, LT always does.
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "100", "gt"));
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "100", "xx"));
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "100", "nx"));
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "100", "nx"));
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "50", "gt"));
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "200", "gt"));
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "300", "lt"));
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "100", "lt"));
        Assert.Equal(":100\r\n", c.Call("TTL", "k"));
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "10", "xx", "xx"));
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "5", "gt", "gt"));
        // A past time under GT fails the condition; under LT it deletes the key.
        Assert.Equal(":0\r\n", c.Call("EXPIRE", "k", "-1", "gt"));
        Assert.Equal(":1\r\n", c.Call("EXISTS", "k"));
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "-1", "lt"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "k"));
        c.Call("SET", "k", "v");
        Assert.Equal(":1\r\n", c.Call("EXPIRE", "k", "-1", "lt"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "k"));
        c.Call("SET", "k", "v");
        Assert.Equal(":1\r\n", c.Call("PEXPIREAT", "k", "4102444800000", "NX"));
        Assert.Equal(":1\r\n", c.Call("EXPIREAT", "k", "4102444801", "GT"));
        Assert.Equal(":0\r\n", c.Call("PEXPIRE", "k", "1000", "GT"));
        Assert.Equal(":1\r\n", c.Call("PEXPIRE", "k", "100000", "LT", "XX"));
    }

    [Fact]
    public async Task PersistRemovesTheTimeToLive()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("PERSIST", "nokey"));
        c.Call("SET", "k", "v");
        Assert.Equal(":0\r\n", c.Call("PERSIST", "k"));
        c.Call("EXPIRE", "k", "100");
        Assert.Equal(":1\r\n", c.Call("PERSIST", "k"));
        Assert.Equal(":-1\r\n", c.Call("TTL", "k"));
        Assert.Equal(":0\r\n", c.Call("PERSIST", "k"));
        Assert.Equal("-ERR wrong number of arguments for 'persist' command\r\n", c.Call("PERSIST"));
        // SET drops a time to live.
        c.Call("EXPIRE", "k", "100");
        c.Call("SET", "k", "w");
        Assert.Equal(":-1\r\n", c.Call("TTL", "k"));
    }

    [Fact]
    public async Task LazyExpiryReclaimsAKeyWhenItIsAccessed()
    {
        await using var server = TestServer.Start();
        server.Server.ActiveExpireEnabled = false;
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        c.Call("SET", "other", "v");
        Assert.Equal(":1\r\n", c.Call("PEXPIRE", "k", "30"));
        // KEYS hides an expired key without reclaiming it: poll it to learn that the time has passed.
        KeyCommandsTests.WaitUntil(() => c.Call("KEYS", "k") == "*0\r\n", "k to expire");
        Assert.Equal(":2\r\n", c.Call("DBSIZE"));
        long expiredBefore = server.Server.Stats.ExpiredKeys;
        Assert.Equal("$-1\r\n", c.Call("GET", "k"));
        Assert.Equal(":1\r\n", c.Call("DBSIZE"));
        Assert.Equal(expiredBefore + 1, server.Server.Stats.ExpiredKeys);

        // Every kind of access reclaims: TTL, EXISTS, TYPE, EXPIRE, DEL (which then reports 0 deleted).
        string[][] accesses = [["TTL", "k"], ["EXISTS", "k"], ["TYPE", "k"], ["EXPIRE", "k", "10"], ["DEL", "k"], ["PERSIST", "k"]];
        string[] replies = [":-2\r\n", ":0\r\n", "+none\r\n", ":0\r\n", ":0\r\n", ":0\r\n"];
        for (int i = 0; i < accesses.Length; i++)
        {
            c.Call("SET", "k", "v");
            c.Call("PEXPIRE", "k", "20");
            KeyCommandsTests.WaitUntil(() => c.Call("KEYS", "k") == "*0\r\n", "k to expire");
            Assert.Equal(":2\r\n", c.Call("DBSIZE"));
            Assert.Equal(replies[i], c.Call(accesses[i]));
            Assert.Equal(":1\r\n", c.Call("DBSIZE"));
        }
    }

    [Fact]
    public async Task ActiveExpiryReclaimsKeysNobodyTouches()
    {
        await using var server = TestServer.Start(cfg => cfg.Hz = 50);
        using var c = server.Raw();
        c.Call("SET", "persistent", "v");
        for (int i = 0; i < 300; i++)
        {
            c.Call("SET", "v" + i, "x");
            c.Call("PEXPIRE", "v" + i, (10 + i % 50).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.True(Integer(c.Call("DBSIZE")) > 1);
        KeyCommandsTests.WaitUntil(() => c.Call("DBSIZE") == ":1\r\n", "active expiry to reclaim every volatile key");
        Assert.Equal(0, server.Server.Databases[0].VolatileCount);
        Assert.True(server.Server.Stats.ExpiredKeys >= 300);
        Assert.Equal("$1\r\nv\r\n", c.Call("GET", "persistent"));
    }

    [Fact]
    public async Task ActiveExpiryWorksInEveryDatabase()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SELECT", "9");
        for (int i = 0; i < 50; i++)
        {
            c.Call("SET", "v" + i, "x");
            c.Call("PEXPIRE", "v" + i, "10");
        }
        KeyCommandsTests.WaitUntil(() => c.Call("DBSIZE") == ":0\r\n", "active expiry in db 9");
    }
}
