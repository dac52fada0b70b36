using System.Text.RegularExpressions;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>SLOWLOG, LATENCY, TIME, LASTSAVE.</summary>
public class SlowLogLatencyTests
{
    [Fact]
    public async Task SlowlogRecordsEntriesNewestFirst()
    {
        await using var server = TestServer.Start(cfg => cfg.SlowlogLogSlowerThan = 0);
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        c.Call("GET", "k");
        Assert.Equal(":2\r\n", c.Call("SLOWLOG", "LEN"));
        // SLOWLOG LEN itself was logged too once it ran.
        string two = c.Call("SLOWLOG", "GET", "2");
        Assert.Matches(new Regex(@"^\*2\r\n\*6\r\n:2\r\n:[0-9]+\r\n:[0-9]+\r\n\*2\r\n\$7\r\nSLOWLOG\r\n\$3\r\nLEN\r\n\$[0-9]+\r\n127\.0\.0\.1:[0-9]+\r\n\$0\r\n\r\n" +
            @"\*6\r\n:1\r\n:[0-9]+\r\n:[0-9]+\r\n\*2\r\n\$3\r\nGET\r\n\$1\r\nk\r\n\$[0-9]+\r\n127\.0\.0\.1:[0-9]+\r\n\$0\r\n\r\n$"), two);
        string all = c.Call("SLOWLOG", "GET", "-1");
        Assert.StartsWith("*4\r\n", all);
        Assert.EndsWith("$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" + Regex.Match(all, @"\$[0-9]+\r\n127\.0\.0\.1:[0-9]+\r\n").Value + "$0\r\n\r\n", all);
        long unix = long.Parse(Regex.Match(two, @"^\*2\r\n\*6\r\n:2\r\n:([0-9]+)").Groups[1].Value);
        Assert.InRange(unix, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal("+OK\r\n", c.Call("SLOWLOG", "RESET"));
        Assert.Equal(":1\r\n", c.Call("SLOWLOG", "LEN")); // the RESET itself
    }

    [Fact]
    public async Task SlowlogDefaultsToTenAndRespectsThreshold()
    {
        await using var server = TestServer.Start(cfg => cfg.SlowlogLogSlowerThan = 0);
        using var c = server.Raw();
        for (int i = 0; i < 15; i++)
        {
            c.Call("PING");
        }
        Assert.StartsWith("*10\r\n", c.Call("SLOWLOG", "GET"));
        Assert.StartsWith("*0\r\n", c.Call("SLOWLOG", "GET", "0"));
        server.Server.Config.SlowlogLogSlowerThan = -1;
        c.Call("SLOWLOG", "RESET");
        c.Call("PING");
        Assert.Equal(":0\r\n", c.Call("SLOWLOG", "LEN"));
        server.Server.Config.SlowlogLogSlowerThan = 10_000_000;
        c.Call("PING");
        Assert.Equal(":0\r\n", c.Call("SLOWLOG", "LEN"));
    }

    [Fact]
    public async Task SlowlogErrors()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR count should be greater than or equal to -1\r\n", c.Call("SLOWLOG", "GET", "-2"));
        Assert.Equal("-ERR count should be greater than or equal to -1\r\n", c.Call("SLOWLOG", "GET", "x"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n", c.Call("SLOWLOG", "get", "1", "2"));
        Assert.Equal("-ERR wrong number of arguments for 'slowlog|len' command\r\n", c.Call("SLOWLOG", "LEN", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'slowlog' command\r\n", c.Call("SLOWLOG"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try SLOWLOG HELP.\r\n", c.Call("SLOWLOG", "foo"));
        Assert.Equal(
            "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n" +
            "+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n+    Entries are made of:\r\n" +
            "+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n+    client name\r\n+LEN\r\n" +
            "+    Return the length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n",
            c.Call("SLOWLOG", "HELP"));
    }

    [Fact]
    public async Task LatencyWithoutEvents()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("*0\r\n", c.Call("LATENCY", "LATEST"));
        Assert.Equal("*0\r\n", c.Call("LATENCY", "HISTORY", "command"));
        Assert.Equal(":0\r\n", c.Call("LATENCY", "RESET"));
        Assert.Equal(":0\r\n", c.Call("LATENCY", "RESET", "command", "foo"));
        Assert.Equal("-ERR No samples available for event 'command'\r\n", c.Call("LATENCY", "GRAPH", "command"));
        Assert.Equal("-ERR wrong number of arguments for 'latency|history' command\r\n", c.Call("LATENCY", "HISTORY"));
        Assert.Equal("-ERR wrong number of arguments for 'latency|latest' command\r\n", c.Call("LATENCY", "LATEST", "x"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try LATENCY HELP.\r\n", c.Call("LATENCY", "foo"));
        Assert.StartsWith("$288\r\nI'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance.", c.Call("LATENCY", "DOCTOR"));
        server.Server.Config.LatencyMonitorThreshold = 100;
        Assert.StartsWith("$196\r\nDave, no latency spike was observed", c.Call("LATENCY", "DOCTOR"));
        Assert.StartsWith("*17\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DOCTOR\r\n", c.Call("LATENCY", "HELP"));
    }

    [Fact]
    public async Task LatencyHistogram()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        c.Call("GET", "k");
        c.Call("GET", "k");
        Assert.Matches(@"^\*2\r\n\$3\r\nget\r\n\*4\r\n\$5\r\ncalls\r\n:2\r\n\$14\r\nhistogram_usec\r\n\*([0-9]+)\r\n(:[0-9]+\r\n)+$", c.Call("LATENCY", "HISTOGRAM", "get", "nosuch", "ping"));
        Assert.Equal("*0\r\n", c.Call("LATENCY", "HISTOGRAM", "ping"));
        string all = c.Call("LATENCY", "HISTOGRAM");
        Assert.Contains("$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:1\r\n", all);
        Assert.StartsWith("*6\r\n", all); // set, get, latency|histogram
        c.Call("SLOWLOG", "LEN");
        Assert.Contains("$11\r\nslowlog|len\r\n", c.Call("LATENCY", "HISTOGRAM", "slowlog"));
        InfoTests.UseResp3(server, c);
        Assert.StartsWith("%1\r\n$3\r\nset\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%", c.Call("LATENCY", "HISTOGRAM", "set"));
    }

    [Fact]
    public async Task LatencyTrackingCanBeTurnedOff()
    {
        await using var server = TestServer.Start(cfg => cfg.LatencyTracking = false);
        using var c = server.Raw();
        c.Call("PING");
        Assert.Equal("*0\r\n", c.Call("LATENCY", "HISTOGRAM"));
    }

    [Fact]
    public async Task TimeAndLastSave()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        var m = Regex.Match(c.Call("TIME"), @"^\*2\r\n\$[0-9]+\r\n([0-9]+)\r\n\$[0-9]+\r\n([0-9]+)\r\n$");
        Assert.True(m.Success);
        long seconds = long.Parse(m.Groups[1].Value);
        Assert.InRange(seconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.InRange(long.Parse(m.Groups[2].Value), 0, 999_999);
        Assert.Equal($":{server.Server.LastSaveUnixSeconds}\r\n", c.Call("LASTSAVE"));
        Assert.InRange(server.Server.LastSaveUnixSeconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        server.Server.LastSaveUnixSeconds = 1234;
        Assert.Equal(":1234\r\n", c.Call("LASTSAVE"));
        Assert.Equal("-ERR wrong number of arguments for 'time' command\r\n", c.Call("TIME", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'lastsave' command\r\n", c.Call("LASTSAVE", "x"));
    }
}

public class LatencyConfigTests
{
    [Fact]
    public async Task ConfigDrivesLatencyTrackingAndPercentiles()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99"));
        c.Call("PING");
        Assert.Matches(@"\r\nlatency_percentiles_usec_ping:p50=[0-9]+\.[0-9]{3},p99\.99=[0-9]+\.[0-9]{3}\r\n", c.Call("INFO", "latencystats"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "RESETSTAT"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "latency-tracking", "no"));
        Assert.False(server.Server.Config.LatencyTracking);
        c.Call("PING");
        Assert.Equal("$16\r\n# Latencystats\r\n\r\n", c.Call("INFO", "latencystats"));
        Assert.Contains("cmdstat_ping:calls=1,", c.Call("INFO", "commandstats"));
    }
}
