using Amber.Tests.Infrastructure;

namespace Amber.Tests;

public class MonitorTests
{
    private const string Line = @"^\+[0-9]{10}\.[0-9]{6} \[{0} 127\.0\.0\.1:[0-9]+\] {1}\r\n$";

    private static string Pattern(int db, string args) => Line.Replace("{0}", db.ToString()).Replace("{1}", args);

    [Fact]
    public async Task MonitorStreamsCommandsOfOtherClients()
    {
        await using var server = TestServer.Start();
        using var monitor = server.Raw();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", monitor.Call("MONITOR"));
        c.Call("SET", "k", "v");
        Assert.Matches(Pattern(0, "\"SET\" \"k\" \"v\""), monitor.ReadReply());
        // Quotes, backslashes, control and non-ASCII bytes are escaped as Redis's sdscatrepr does.
        c.Send("*3\r\n$3\r\nset\r\n$4\r\na\"\\\u0001\r\n$5\r\nx\r\ny \r\n");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Matches(Pattern(0, "\"set\" \"a\\\\\"\\\\\\\\\\\\x01\" \"x\\\\r\\\\ny \""), monitor.ReadReply());
        // The line is fed after execution: SELECT shows the database it switched to.
        c.Call("SELECT", "2");
        Assert.Matches(Pattern(2, "\"SELECT\" \"2\""), monitor.ReadReply());
        // Admin commands, unknown commands and arity errors are not shown.
        c.Call("SLOWLOG", "LEN");
        c.Call("NOSUCH");
        c.Call("GET");
        c.Call("PING");
        Assert.Matches(Pattern(2, "\"PING\""), monitor.ReadReply());
    }

    [Fact]
    public async Task MonitorClientSeesItsOwnCommandsAndRepeatedMonitorIsIgnored()
    {
        await using var server = TestServer.Start();
        using var monitor = server.Raw();
        Assert.Equal("+OK\r\n", monitor.Call("MONITOR"));
        Assert.True(server.Server.Clients.Snapshot()[0].IsMonitor);
        monitor.SendCommand("MONITOR"); // no reply at all
        Assert.Equal("+PONG\r\n", monitor.Call("PING"));
        Assert.Matches(Pattern(0, "\"PING\""), monitor.ReadReply());
        Assert.Equal("-ERR wrong number of arguments for 'monitor' command\r\n", monitor.Call("MONITOR", "x"));
    }

    [Fact]
    public async Task OkComesBeforeAnyMonitorLineUnderLoad()
    {
        await using var server = TestServer.Start();
        using var busy = server.Raw();
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                busy.Call("SET", "k", "v");
            }
        });
        try
        {
            for (int i = 0; i < 20; i++)
            {
                using var monitor = server.Raw();
                Assert.Equal("+OK\r\n", monitor.Call("MONITOR"));
                Assert.Matches(Pattern(0, "\"SET\" \"k\" \"v\""), monitor.ReadReply());
            }
        }
        finally
        {
            stop.Cancel();
            await writer;
        }
    }

    [Fact]
    public async Task AuthAndHelloCredentialsAreRedacted()
    {
        await using var server = TestServer.Start(cfg => cfg.SlowlogLogSlowerThan = 0);
        using var monitor = server.Raw();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", monitor.Call("MONITOR"));
        Assert.StartsWith("-ERR", c.Call("AUTH", "secret"));
        Assert.Matches(Pattern(0, "\"AUTH\" \"\\(redacted\\)\""), monitor.ReadReply());
        Assert.StartsWith("%", c.Call("HELLO", "3", "AUTH", "default", "secret")); // no requirepass: any password
        Assert.Matches(Pattern(0, "\"HELLO\" \"3\" \"AUTH\" \"\\(redacted\\)\" \"\\(redacted\\)\""), monitor.ReadReply());
        string slowlog = c.Call("SLOWLOG", "GET", "3");
        Assert.Contains("$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n", slowlog);
        Assert.Contains("$4\r\nAUTH\r\n$10\r\n(redacted)\r\n", slowlog);
        Assert.DoesNotContain("secret", slowlog);
    }

    [Fact]
    public async Task RedactedArgumentsAreHidden()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("PING");
        var session = server.Server.Clients.Snapshot()[0];
        session.Args.Clear();
        foreach (string a in new[] { "auth", "user", "secret" })
        {
            byte[] bytes = System.Text.Encoding.ASCII.GetBytes(a);
            session.Args.Add(bytes, 0, bytes.Length);
        }
        string line = Amber.Server.MonitorFeed.Format(session, session.Args, redacted: 0b110);
        Assert.Matches(@"^[0-9]+\.[0-9]{6} \[0 127\.0\.0\.1:[0-9]+\] ""auth"" ""\(redacted\)"" ""\(redacted\)""$", line);
    }
}

public class BlockedCommandDiagnosticsTests
{
    [Fact]
    public async Task BlockedCommandIsMonitoredAtOnceAndCountedWhenServed()
    {
        await using var server = TestServer.Start();
        using var monitor = server.Raw();
        using var blocked = server.Raw();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", monitor.Call("MONITOR"));
        blocked.SendCommand("BLPOP", "list", "0");
        Assert.Matches(@"^\+[0-9.]+ \[0 127\.0\.0\.1:[0-9]+\] ""BLPOP"" ""list"" ""0""\r\n$", monitor.ReadReply());
        Assert.True(SpinWait.SpinUntil(() => c.Call("INFO", "clients").Contains("\r\nblocked_clients:1\r\n"), 5000));
        Assert.DoesNotContain("cmdstat_blpop", c.Call("INFO", "commandstats"));
        c.Call("RPUSH", "list", "x");
        Assert.Equal("*2\r\n$4\r\nlist\r\n$1\r\nx\r\n", blocked.ReadReply());
        Assert.Contains("cmdstat_blpop:calls=1,", c.Call("INFO", "commandstats"));
        Assert.Contains("latency_percentiles_usec_blpop:", c.Call("INFO", "latencystats"));
        Assert.Contains("\r\nblocked_clients:0\r\n", c.Call("INFO", "clients"));
    }
}
