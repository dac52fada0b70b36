using Amber.Commands;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>SCAN over sockets: full iterations, options, errors, expired keys, and keys added while scanning.</summary>
public class ScanCommandTests
{
    /// <summary>Splits a raw SCAN reply into the next cursor and the keys.</summary>
    private static (string Cursor, List<string> Keys) Parse(string reply)
    {
        string[] lines = reply.Split("\r\n");
        Assert.Equal("*2", lines[0]);
        string cursor = lines[2];
        int n = int.Parse(lines[3].AsSpan(1));
        var keys = new List<string>();
        for (int i = 0; i < n; i++)
        {
            keys.Add(lines[5 + i * 2]);
        }
        return (cursor, keys);
    }

    private static List<string> ScanAll(RawClient c, params string[] options)
    {
        var all = new List<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            (cursor, List<string> keys) = Parse(c.Call(["SCAN", cursor, .. options]));
            all.AddRange(keys);
            Assert.True(++calls < 100_000);
        }
        while (cursor != "0");
        return all;
    }

    [Fact]
    public async Task FullIterationReturnsEveryKeyOnce()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("*2\r\n$1\r\n0\r\n*0\r\n", c.Call("SCAN", "0"));
        for (int i = 0; i < 1000; i++)
        {
            c.Call("SET", "key:" + i, "v");
        }
        foreach (string count in new[] { "1", "7", "10", "1000", "9223372036854775807" })
        {
            List<string> keys = count == "10" ? ScanAll(c) : ScanAll(c, "COUNT", count);
            Assert.Equal(1000, keys.Count);
            Assert.Equal(1000, keys.Distinct().Count());
        }
    }

    [Fact]
    public async Task MatchAndTypeFilter()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        for (int i = 0; i < 100; i++)
        {
            c.Call("SET", (i % 2 == 0 ? "even:" : "odd:") + i, "v");
        }
        Assert.Equal(50, ScanAll(c, "MATCH", "even:*").Count);
        Assert.All(ScanAll(c, "MATCH", "odd:*", "COUNT", "3"), k => Assert.StartsWith("odd:", k));
        Assert.Equal(100, ScanAll(c, "MATCH", "*").Count);
        Assert.Equal(100, ScanAll(c, "TYPE", "string").Count);
        Assert.Equal(100, ScanAll(c, "type", "STRING").Count);
        Assert.Empty(ScanAll(c, "TYPE", "hash"));
        Assert.Empty(ScanAll(c, "TYPE", "nosuchtype"));
        Assert.Equal(["even:42"], ScanAll(c, "MATCH", "even:42", "TYPE", "string", "COUNT", "1000"));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("+0")]
    [InlineData("-0")]
    [InlineData("-1")]
    [InlineData("18446744073709551615")]
    [InlineData("-18446744073709551615")]
    public async Task CursorsAcceptedAsStrtoulDoes(string cursor)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("*2\r\n$1\r\n0\r\n*0\r\n", c.Call("SCAN", cursor == "\"\"" ? "" : cursor));
    }

    [Theory]
    [InlineData(new[] { " 0" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "0 " }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "0x1" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "abc" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "+" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "-" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "18446744073709551616" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "1.5" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "abc", "count", "0" }, "-ERR invalid cursor\r\n")]
    [InlineData(new[] { "0", "count", "0" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "0", "count", "-1" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "0", "count", "abc" }, "-ERR value is not an integer or out of range\r\n")]
    [InlineData(new[] { "0", "count" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "0", "match" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "0", "type" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "0", "foo", "bar" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "0", "match", "*", "count" }, "-ERR syntax error\r\n")]
    [InlineData(new string[0], "-ERR wrong number of arguments for 'scan' command\r\n")]
    public async Task Errors(string[] args, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal(expected, c.Call(["SCAN", .. args]));
    }

    [Fact]
    public void CursorParserFollowsStrtoul()
    {
        Assert.True(CollectionScan.TryParseCursor("5\0junk"u8, out ulong v));
        Assert.Equal(5UL, v);
        Assert.True(CollectionScan.TryParseCursor("-2"u8, out v));
        Assert.Equal(ulong.MaxValue - 1, v);
        Assert.False(CollectionScan.TryParseCursor("\t1"u8, out _));
        Assert.False(CollectionScan.TryParseCursor("--1"u8, out _));
    }

    [Fact]
    public async Task ExpiredKeysAreNotReturnedAndAreReclaimed()
    {
        await using var server = TestServer.Start();
        server.Server.ActiveExpireEnabled = false;
        using var c = server.Raw();
        for (int i = 0; i < 50; i++)
        {
            c.Call("SET", "live" + i, "v");
            c.Call("SET", "dead" + i, "v");
            c.Call("PEXPIRE", "dead" + i, "20");
        }
        KeyCommandsTests.WaitUntil(() => c.Call("KEYS", "dead*") == "*0\r\n", "the volatile keys to expire");
        Assert.Equal(":100\r\n", c.Call("DBSIZE"));
        List<string> keys = ScanAll(c);
        Assert.Equal(50, keys.Count);
        Assert.All(keys, k => Assert.StartsWith("live", k));
        Assert.Equal(":50\r\n", c.Call("DBSIZE"));
    }

    [Fact]
    public async Task KeysPresentForTheWholeScanAreReturnedWhileTheDatabaseGrowsAndShrinks()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var writer = server.Raw();
        var stable = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            c.Call("SET", "stable:" + i, "v");
            stable.Add("stable:" + i);
        }
        var rng = new Random(2024);
        var seen = new HashSet<string>();
        string cursor = "0";
        int next = 0;
        int call = 0;
        var churn = new List<string>();
        do
        {
            (cursor, List<string> keys) = Parse(c.Call("SCAN", cursor, "COUNT", "5"));
            seen.UnionWith(keys);
            // Grow for a while, then delete most of what was added, between SCAN calls.
            if ((call++ / 20) % 2 == 0 && next < 3000)
            {
                for (int i = rng.Next(0, 60); i > 0; i--)
                {
                    string name = "churn:" + next++;
                    writer.SendCommand("SET", name, "v");
                    churn.Add(name);
                }
            }
            else
            {
                for (int i = Math.Min(churn.Count, rng.Next(0, 120)); i > 0; i--)
                {
                    writer.SendCommand("DEL", churn[^1]);
                    churn.RemoveAt(churn.Count - 1);
                }
            }
            writer.SendCommand("PING");
            while (writer.ReadReply() != "+PONG\r\n")
            {
            }
        }
        while (cursor != "0");
        Assert.Empty(stable.Except(seen));
    }

    [Fact]
    public async Task StackExchangeRedisKeysUsesScan()
    {
        await using var server = TestServer.Start();
        var mux = server.Connect();
        var db = mux.GetDatabase();
        for (int i = 0; i < 500; i++)
        {
            await db.StringSetAsync("se:" + i, "v");
        }
        IServer s = mux.GetServer(mux.GetEndPoints()[0]);
        var keys = s.Keys(pattern: "se:*", pageSize: 37).Select(k => (string)k!).ToList();
        Assert.Equal(500, keys.Distinct().Count());
    }

    [SkippableFact]
    public async Task RedisCliScanListsEveryKey()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        using var c = server.Raw();
        for (int i = 0; i < 300; i++)
        {
            c.Call("SET", "cli:" + i, "v");
        }
        var (exit, output) = Interop.Run(cli, $"-p {server.Port} --scan --pattern cli:*");
        Assert.Equal(0, exit);
        Assert.Equal(300, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count());
    }
}
