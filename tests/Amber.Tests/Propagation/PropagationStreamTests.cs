using System.Net;
using System.Net.Sockets;
using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Propagation;

/// <summary>The stream's own guarantees: delivery timing, per-sink SELECT state, registration, expiry, cost.</summary>
public class PropagationStreamTests
{
    [Fact]
    public async Task NothingOfATransactionReachesASinkBeforeExec()
    {
        await using var server = TestServer.Start();
        CapturingSink sink = CapturingSink.Attach(server);
        var client = server.Raw();
        Assert.Equal("+OK\r\n", client.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", client.Call("SET", "a", "1"));
        Assert.Equal("+QUEUED\r\n", client.Call("INCR", "a"));
        Assert.Equal(0, sink.Appends);
        client.Call("EXEC");
        Assert.Equal("SELECT 0|MULTI|SET a 1|INCR a|EXEC", Show(sink));
    }

    [Fact]
    public async Task EachSinkKeepsItsOwnSelectedDatabase()
    {
        await using var server = TestServer.Start();
        CapturingSink first = CapturingSink.Attach(server);
        var client = server.Raw();
        client.Call("SELECT", "2");
        client.Call("SET", "x", "1");
        CapturingSink second = CapturingSink.Attach(server);
        client.Call("SET", "y", "1");
        Assert.Equal("SELECT 2|SET x 1|SET y 1", Show(first));
        Assert.Equal("SELECT 2|SET y 1", Show(second));

        lock (server.Server.KeyspaceLock)
        {
            // As after an AOF rewrite opened a new file: the next entry must say which database it is for.
            server.Server.Propagation.ForgetSelectedDatabase(first);
            Assert.True(server.Server.Propagation.RemoveSink(second));
            Assert.False(server.Server.Propagation.RemoveSink(second));
        }
        client.Call("SET", "z", "1");
        Assert.Equal("SELECT 2|SET x 1|SET y 1|SELECT 2|SET z 1", Show(first));
        Assert.Equal("SELECT 2|SET y 1", Show(second));

        lock (server.Server.KeyspaceLock)
        {
            server.Server.Propagation.RemoveSink(first);
            Assert.False(server.Server.Propagation.Active);
        }
        client.Call("SET", "w", "1");
        Assert.Equal(5, first.Appends);
    }

    [Fact]
    public async Task KeysExpiredByTheActiveCycleArePropagatedAsDel()
    {
        await using var server = TestServer.Start();
        CapturingSink sink = CapturingSink.Attach(server);
        var client = server.Raw();
        client.Call("SELECT", "3");
        client.Call("SET", "gone", "v", "PX", "1");
        long deadline = Environment.TickCount64 + 10_000;
        while (sink.Commands.Count < 3)
        {
            Assert.True(Environment.TickCount64 < deadline, "the active expire cycle propagated nothing");
            await Task.Delay(5);
        }
        Assert.Equal("SELECT 3|SET gone v PXAT *|DEL gone", Show(sink));
        Assert.Equal(0L, long.Parse(client.Call("EXISTS", "gone").AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task BlockedClientServedByAnotherIsItsOwnUnitAfterThePush()
    {
        await using var server = TestServer.Start();
        CapturingSink sink = CapturingSink.Attach(server);
        var waiter = server.Raw();
        var pusher = server.Raw();
        waiter.Call("SELECT", "1");
        waiter.SendCommand("BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "5");
        await server.WaitForBlockedClientsAsync(1);
        pusher.Call("SELECT", "1");
        pusher.Call("MULTI");
        pusher.Call("RPUSH", "q", "a", "b");
        pusher.Call("SET", "k", "v");
        pusher.Call("EXEC");
        Assert.Equal("*2\r\n$1\r\nq\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n", waiter.ReadReply());
        Assert.Equal("SELECT 1|MULTI|RPUSH q a b|SET k v|EXEC|RPOP q 2", Show(sink));
    }

    [Fact]
    public async Task ACommandThatChangesNothingPropagatesNothing()
    {
        await using var server = TestServer.Start();
        CapturingSink sink = CapturingSink.Attach(server);
        var client = server.Raw();
        client.Call("SADD", "s", "a");
        foreach (string[] command in new[]
        {
            new[] { "SADD", "s", "a" }, ["DEL", "missing"], ["SET", "s", "v", "NX"], ["EXPIRE", "missing", "10"],
            ["GETDEL", "missing"], ["SPOP", "missing"], ["INCR", "s"], ["GET", "s"], ["MULTI"], ["GET", "s"], ["EXEC"],
            ["LPOP", "s"], ["BLPOP", "empty", "0.01"], ["PERSIST", "s"],
        })
        {
            client.Call(command);
        }
        Assert.Equal("SELECT 0|SADD s a", Show(sink));
    }

    private static string Show(CapturingSink sink) =>
        string.Join('|', sink.Commands.Select(c => string.Join(' ', c.Select(a => a.Length == 13 && a.All(char.IsAsciiDigit) ? "*" : a))));
}

/// <summary>With a sink registered, propagation builds into reused buffers: no allocation per command.</summary>
[Collection(nameof(AllocationBudgetTests))]
public class PropagationAllocationTests
{
    private const int Requests = 20000;

    [Theory]
    [InlineData("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", 48)]
    [InlineData("*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n$2\r\nEX\r\n$3\r\n100\r\n", 48)]
    [InlineData("*3\r\n$6\r\nEXPIRE\r\n$3\r\nkey\r\n$3\r\n100\r\n", 8)]
    public async Task PropagatingAllocatesNothingPerCommand(string request, double budget)
    {
        await using var server = TestServer.Start();
        var sink = new CountingSink();
        lock (server.Server.KeyspaceLock)
        {
            server.Server.Propagation.AddSink(sink);
        }
        server.Raw().Call("SET", "key", "value");
        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(request, Requests)));
        int replyLength = (request.StartsWith("*3\r\n$6", StringComparison.Ordinal) ? ":1\r\n" : "+OK\r\n").Length * Requests;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, server.Port);
        var reply = new byte[replyLength];
        RoundTrip(socket, batch, reply);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        RoundTrip(socket, batch, reply);
        double perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Requests;

        Assert.True(sink.Count >= 2 * Requests, $"only {sink.Count} entries propagated");
        Assert.True(perRequest < budget, $"allocated {perRequest:F1} bytes per request with a sink registered");
    }

    private static void RoundTrip(Socket socket, byte[] batch, byte[] reply)
    {
        int sent = 0;
        int received = 0;
        while (received < reply.Length)
        {
            if (sent < batch.Length && socket.Poll(0, SelectMode.SelectWrite))
            {
                sent += socket.Send(batch, sent, Math.Min(64 * 1024, batch.Length - sent), SocketFlags.None);
            }
            if (socket.Poll(1000, SelectMode.SelectRead))
            {
                received += socket.Receive(reply, received, reply.Length - received, SocketFlags.None);
            }
        }
    }

    private sealed class CountingSink : Amber.Propagation.IPropagationSink
    {
        public int Count;

        public void Append(ReadOnlySpan<byte> respCommand) => Count++;
    }
}
