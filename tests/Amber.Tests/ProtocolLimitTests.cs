using System.Net.Sockets;
using System.Text;
using Amber.Protocol;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Connection limits and protocol edge cases, with the errors and close behaviour of Redis 7.0.15.</summary>
public class ProtocolLimitTests
{
    private const string MaxClientsError = "-ERR max number of clients reached\r\n";

    [Fact]
    public async Task MaxClientsRejectsTheExtraConnectionWithAnError()
    {
        await using var server = TestServer.Start(cfg => cfg.MaxClients = 2);
        using var a = server.Raw();
        using var b = server.Raw();
        Assert.Equal("+PONG\r\n", a.Call("PING"));
        Assert.Equal("+PONG\r\n", b.Call("PING"));
        using (var c = server.Raw())
        {
            Assert.Equal(MaxClientsError, c.ReadReply());
            Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
        }
        Assert.Equal("+PONG\r\n", a.Call("PING"));
        b.Dispose();
        // Once b is gone a new client fits again (the server notices the close asynchronously).
        Assert.True(SpinWait.SpinUntil(() => server.Server.Clients.Count < 2, TimeSpan.FromSeconds(5)));
        using var d = server.Raw();
        Assert.Equal("+PONG\r\n", d.Call("PING"));
    }

    [Fact]
    public async Task IdleClientsAreClosedAfterTimeout()
    {
        await using var server = TestServer.Start(cfg => cfg.TimeoutSeconds = 1);
        using var idle = server.Raw();
        Assert.Equal("+PONG\r\n", idle.Call("PING"));
        long started = Environment.TickCount64;
        Assert.True(idle.WaitForClose(TimeSpan.FromSeconds(10)));
        Assert.True(Environment.TickCount64 - started >= 900, "closed before the timeout");
    }

    [Fact]
    public async Task NoTimeoutByDefault()
    {
        await using var server = TestServer.Start(cfg => cfg.Hz = 100);
        using var c = server.Raw();
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.False(c.WaitForClose(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(0)]
    public async Task TcpKeepAliveIsSetOnAcceptedSockets(int seconds)
    {
        await using var server = TestServer.Start(cfg => cfg.TcpKeepAliveSeconds = seconds);
        using var c = server.Raw();
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Socket socket = server.Server.Clients.Snapshot()[0].Socket!;
        bool enabled = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)! != 0;
        Assert.Equal(seconds > 0, enabled);
        if (seconds > 0)
        {
            Assert.Equal(seconds, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
        }
    }

    [Fact]
    public async Task BulkLongerThanProtoMaxBulkLenIsAProtocolError()
    {
        await using var server = TestServer.Start(cfg => cfg.ProtoMaxBulkLen = 1024 * 1024);
        using var ok = server.Raw();
        ok.Send("*2\r\n$4\r\nECHO\r\n$1048576\r\n");
        ok.Send(new byte[1024 * 1024]);
        ok.Send("\r\n");
        string echoed = ok.ReadReply();
        Assert.StartsWith("$1048576\r\n", echoed);

        using var bad = server.Raw();
        bad.Send("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", bad.ReadReply());
        Assert.True(bad.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.Equal("+PONG\r\n", ok.Call("PING"));
    }

    [Fact]
    public async Task ClientOverTheQueryBufferLimitIsClosedOthersAreNot()
    {
        await using var server = TestServer.Start(cfg => cfg.ClientQueryBufferLimit = 1024 * 1024);
        using var other = server.Raw();
        Assert.Equal("+PONG\r\n", other.Call("PING"));

        // Announcing a big bulk is fine; only the data actually buffered counts, as in Redis.
        using var announcer = server.Raw();
        announcer.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
        Assert.False(announcer.WaitForClose(TimeSpan.FromMilliseconds(300)));

        using var hog = server.Raw();
        hog.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
        try
        {
            hog.Send(new byte[1_500_000]);
        }
        catch (SocketException)
        {
            // The server may close while we are still sending.
        }
        Assert.True(hog.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.Equal("+PONG\r\n", other.Call("PING"));
        Assert.Equal("$-1\r\n", other.Call("GET", "k"));
    }

    [Fact]
    public async Task UnauthenticatedClientsGetSmallProtocolLimits()
    {
        await using var server = TestServer.Start(cfg => cfg.RequirePass = "secret");
        using (var c = server.Raw())
        {
            c.Send("*11\r\n");
            Assert.Equal("-ERR Protocol error: unauthenticated multibulk length\r\n", c.ReadReply());
            Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
        }
        using (var c = server.Raw())
        {
            c.Send("*1\r\n$16385\r\n");
            Assert.Equal("-ERR Protocol error: unauthenticated bulk length\r\n", c.ReadReply());
            Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
        }
        using (var c = server.Raw())
        {
            // At the limits: accepted, and answered with NOAUTH once complete.
            c.Send("*2\r\n$4\r\nECHO\r\n$16384\r\n" + new string('x', 16384) + "\r\n");
            Assert.Equal("-NOAUTH Authentication required.\r\n", c.ReadReply());
            c.SendCommand(["PING", .. Enumerable.Repeat("a", 9)]);
            Assert.Equal("-NOAUTH Authentication required.\r\n", c.ReadReply());
            // Inline requests have no such limit.
            c.Send("GET " + new string('x', 20000) + "\r\n");
            Assert.Equal("-NOAUTH Authentication required.\r\n", c.ReadReply());
        }
        using (var c = server.Raw())
        {
            // AUTH lifts the limits for the very next request of the same write.
            c.Send("AUTH secret\r\n*11\r\n$4\r\nPING\r\n" + string.Concat(Enumerable.Repeat("$1\r\na\r\n", 10)));
            Assert.Equal("+OK\r\n", c.ReadReply());
            Assert.Equal("-ERR wrong number of arguments for 'ping' command\r\n", c.ReadReply());
        }
    }

    [Fact]
    public async Task DeepPipelineIsAnsweredInOrder()
    {
        const int count = 50_000;
        await using var server = TestServer.Start();
        using var c = server.Raw();
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Append("*3\r\n$3\r\nSET\r\n$").Append(("k" + i).Length).Append("\r\nk").Append(i).Append("\r\n$").Append(i.ToString().Length).Append("\r\n").Append(i).Append("\r\n");
            sb.Append("PING\r\n");
        }
        byte[] payload = Encoding.ASCII.GetBytes(sb.ToString());
        // Send from another task: the server answers while we are still writing.
        Task sender = Task.Run(() => c.Send(payload));
        for (int i = 0; i < count; i++)
        {
            Assert.Equal("+OK\r\n", c.ReadReply());
            Assert.Equal("+PONG\r\n", c.ReadReply());
        }
        await sender;
        Assert.Equal("$5\r\n49999\r\n", c.Call("GET", "k49999"));
        Assert.Equal("$1\r\n0\r\n", c.Call("GET", "k0"));
    }

    [Fact]
    public async Task TenMegabyteValueRoundTrips()
    {
        await using var server = TestServer.Start();
        var value = new byte[10 * 1024 * 1024];
        new Random(42).NextBytes(value);
        var db = server.Db();
        Assert.True(await db.StringSetAsync("big", value));
        byte[]? back = await db.StringGetAsync("big");
        Assert.NotNull(back);
        Assert.True(value.AsSpan().SequenceEqual(back));

        using var c = server.Raw();
        c.Send($"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
        Assert.Equal($"${value.Length}", c.ReadLine());
    }

    [Fact]
    public async Task EmptyLinesZeroAndNegativeCountsAreIgnored()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("*-1\r\n*0\r\n\r\n\r\n\n  \r\n*-5\r\nPING\r\n");
        Assert.Equal("+PONG\r\n", c.ReadReply());
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Fact]
    public async Task HugeMultibulkCountIsAcceptedWithoutPreallocating()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("*2147483647\r\n$4\r\nECHO\r\n");
        Assert.False(c.WaitForClose(TimeSpan.FromMilliseconds(300)));
        using var other = server.Raw();
        Assert.Equal("+PONG\r\n", other.Call("PING"));

        using var tooBig = server.Raw();
        tooBig.Send("*2147483648\r\n");
        Assert.Equal("-ERR Protocol error: invalid multibulk length\r\n", tooBig.ReadReply());
        Assert.True(tooBig.WaitForClose(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData("*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*+1\r\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*01\r\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1 \r\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*-0\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n$04\r\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$+4\r\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$4 \r\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$-0\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$2147483648\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n:4\r\n", "-ERR Protocol error: expected '$', got ':'\r\n")]
    [InlineData("PING \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public async Task MalformedRequestsGetRedisErrorThenClose(string input, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("PING\r\n" + input + "PING\r\n");
        Assert.Equal("+PONG\r\n", c.ReadReply());
        Assert.Equal(expected, c.ReadReply());
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData('x', "-ERR Protocol error: too big inline request\r\n")]
    [InlineData('\0', "-ERR Protocol error: too big inline request\r\n")]
    [InlineData('*', "-ERR Protocol error: too big mbulk count string\r\n")]
    [InlineData('$', "-ERR Protocol error: too big bulk count string\r\n")]
    public async Task OverlongLinesAreRejected(char kind, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string prefix = kind switch
        {
            '*' => "*",
            '$' => "*1\r\n$",
            _ => "",
        };
        char fill = kind is '*' or '$' ? '1' : kind;
        c.Send(prefix + new string(fill, 70_000));
        Assert.Equal(expected, c.ReadReply());
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task InlineQuirksMatchRedis()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("PING\nPING \t \"a\\x41\\n\" \r\nPING 'a\\'b'\r\n*1\r\n$4\r\nPINGxx");
        Assert.Equal("+PONG\r\n", c.ReadReply());
        Assert.Equal("$3\r\naA\n\r\n", c.ReadReply());
        Assert.Equal("$3\r\na'b\r\n", c.ReadReply());
        // Redis does not check the CRLF after a bulk's payload.
        Assert.Equal("+PONG\r\n", c.ReadReply());
        Assert.Equal("-ERR unknown command '', with args beginning with: \r\n", c.Call(""));
    }

    /// <summary>
    /// The parser resumes a request cut at any byte: feed bytes [0, i) and then the rest, for every i,
    /// over a stream mixing multibulk and inline requests.
    /// </summary>
    [Fact]
    public void ParserResumesAtEverySplitPoint()
    {
        byte[] stream = Encoding.ASCII.GetBytes(
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nhello\r\nxyz\r\n" +
            "set \"a b\" 'c d'\r\n" +
            "*0\r\n\r\n" +
            "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n" +
            "PING\n");
        string[] expected = ["SET|k|hello\r\nxyz", "set|a b|c d", "", "", "ECHO|", "PING"];
        for (int split = 0; split <= stream.Length; split++)
        {
            var parser = new RequestParser();
            var args = new ArgList();
            var got = new List<string>();
            int pos = 0;
            foreach (int end in new[] { split, stream.Length })
            {
                while (true)
                {
                    ParseStatus status = parser.TryParse(stream, ref pos, end, args);
                    Assert.NotEqual(ParseStatus.Error, status);
                    if (status == ParseStatus.Incomplete)
                    {
                        break;
                    }
                    var parts = new List<string>();
                    for (int i = 0; i < args.Count; i++)
                    {
                        parts.Add(Encoding.ASCII.GetString(args[i]));
                    }
                    got.Add(string.Join('|', parts));
                }
            }
            Assert.True(expected.SequenceEqual(got), $"split at {split}: {string.Join(", ", got)}");
        }
    }

    [Fact]
    public async Task InlineAndMultibulkSentByteByByte()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        byte[] request = "SET \"sp ace\" v1\r\n*2\r\n$3\r\nGET\r\n$6\r\nsp ace\r\nPING\n"u8.ToArray();
        for (int i = 0; i < request.Length; i++)
        {
            c.Send(request.AsSpan(i, 1));
            if (i % 7 == 0)
            {
                await Task.Delay(1);
            }
        }
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("$2\r\nv1\r\n", c.ReadReply());
        Assert.Equal("+PONG\r\n", c.ReadReply());
    }

    [Fact]
    public void ProtocolLengthParsingIsStrict()
    {
        Assert.True(RequestParser.TryParseLong("0"u8, out long v) && v == 0);
        Assert.True(RequestParser.TryParseLong("-1"u8, out v) && v == -1);
        Assert.True(RequestParser.TryParseLong("9223372036854775807"u8, out v) && v == long.MaxValue);
        foreach (string bad in new[] { "", "01", "+1", "-0", " 1", "1 ", "-", "9223372036854775808", "1e3" })
        {
            Assert.False(RequestParser.TryParseLong(Encoding.ASCII.GetBytes(bad), out _), bad);
        }
    }

    [Fact]
    public async Task PausedConnectionDoesNotHoldTheKeyspaceLock()
    {
        await using var server = TestServer.Start();
        using var admin = server.Raw();
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "PAUSE", "60000", "WRITE"));
        using var held = server.Raw();
        held.Send("SET k v\r\n");
        Assert.True(SpinWait.SpinUntil(() => server.Server.Clients.Snapshot().Exists(s => s.PausePending), TimeSpan.FromSeconds(5)));
        Assert.True(Monitor.TryEnter(server.Server.KeyspaceLock, TimeSpan.FromSeconds(5)));
        Monitor.Exit(server.Server.KeyspaceLock);
        Assert.Equal("+OK\r\n", admin.Call("CLIENT", "UNPAUSE"));
        Assert.Equal("+OK\r\n", held.ReadReply());
    }
}
