using System.Net;
using System.Net.Sockets;
using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>
/// Guards the rule that the request hot path allocates nothing per command: pipelined GETs and overwriting SETs
/// must stay within a small per-request allocation budget (measured process-wide, so the budget includes noise).
/// </summary>
[Collection(nameof(AllocationBudgetTests))]
public class AllocationBudgetTests
{
    private const int Requests = 20000;

    [Fact]
    public async Task GetAllocatesNothingPerRequest()
    {
        await using var server = TestServer.Start();
        Assert.Equal("+OK\r\n", server.Raw().Call("SET", "key", "value"));
        byte[] batch = Repeat("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", Requests);
        int replyLength = "$5\r\nvalue\r\n".Length * Requests;

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength);

        Assert.True(perRequest < 8, $"GET allocated {perRequest:F1} bytes per request");
    }

    [Fact]
    public async Task SetOverwriteOfTheSameLengthAllocatesNothing()
    {
        await using var server = TestServer.Start();
        byte[] batch = Repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", Requests);
        int replyLength = "+OK\r\n".Length * Requests;

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength);

        // The value shares its key's array and is overwritten in place when its length does not change (a new
        // array per overwrite was 32 bytes).
        Assert.True(perRequest < 8, $"SET allocated {perRequest:F1} bytes per request");
    }

    [Fact]
    public async Task HSetOverwriteInLargeHashAllocatesNothing()
    {
        await using var server = TestServer.Start(cfg => cfg.HashMaxListpackEntries = 0);
        Assert.Equal(":1\r\n", server.Raw().Call("HSET", "hash", "field", "old"));
        Assert.Equal("$9\r\nhashtable\r\n", server.Raw().Call("OBJECT", "ENCODING", "hash"));
        byte[] batch = Repeat("*4\r\n$4\r\nHSET\r\n$4\r\nhash\r\n$5\r\nfield\r\n$3\r\nxxx\r\n", Requests);
        int replyLength = ":0\r\n".Length * Requests;

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength);

        // A value of the same length is overwritten in place (a new array per overwrite was 32 bytes).
        Assert.True(perRequest < 8, $"HSET allocated {perRequest:F1} bytes per request");
    }

    [Fact]
    public async Task LPushAllocatesAboutTheElementBytes()
    {
        await using var server = TestServer.Start();
        byte[] batch = Repeat("*3\r\n$5\r\nLPUSH\r\n$4\r\nlist\r\n$3\r\nxxx\r\n", Requests);
        // Replies are the growing length, ":1\r\n" .. ":40000\r\n" over both rounds; count the second round's bytes.
        int replyLength = 0;
        for (int n = 1; n <= Requests; n++)
        {
            replyLength += 3 + n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }
        int secondRoundLength = 0;
        for (int n = Requests + 1; n <= 2 * Requests; n++)
        {
            secondRoundLength += 3 + n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        }

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength, secondRoundLength);

        // An element takes 5 bytes in its node; a node opened after a full one is sized once (growing each node from
        // a few bytes allocated and copied ~28 bytes per push).
        Assert.True(perRequest < 14, $"LPUSH allocated {perRequest:F1} bytes per request");
    }

    [Fact]
    public async Task SAddOfExistingMemberAllocatesNothing()
    {
        await using var server = TestServer.Start();
        Assert.Equal(":1\r\n", server.Raw().Call("SADD", "set", "element"));
        byte[] batch = Repeat("*3\r\n$4\r\nSADD\r\n$3\r\nset\r\n$7\r\nelement\r\n", Requests);
        int replyLength = ":0\r\n".Length * Requests;

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength);

        Assert.True(perRequest < 8, $"SADD allocated {perRequest:F1} bytes per request");
    }

    [Fact]
    public async Task ZAddScoreUpdateInLargeSetAllocatesNothing()
    {
        await using var server = TestServer.Start(cfg => cfg.ZsetMaxListpackEntries = 0);
        Assert.Equal(":1\r\n", server.Raw().Call("ZADD", "zset", "1", "member"));
        Assert.Equal(":1\r\n", server.Raw().Call("ZADD", "zset", "2", "other"));
        Assert.Equal("$8\r\nskiplist\r\n", server.Raw().Call("OBJECT", "ENCODING", "zset"));
        var sb = new StringBuilder();
        for (int i = 0; i < Requests; i++)
        {
            // Alternate the score so every request moves the member (remove and reinsert in the tree).
            sb.Append(i % 2 == 0 ? "*4\r\n$4\r\nZADD\r\n$4\r\nzset\r\n$1\r\n3\r\n$6\r\nmember\r\n" : "*4\r\n$4\r\nZADD\r\n$4\r\nzset\r\n$3\r\n1.5\r\n$6\r\nmember\r\n");
        }
        byte[] batch = Encoding.ASCII.GetBytes(sb.ToString());
        int replyLength = ":0\r\n".Length * Requests;

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength);

        Assert.True(perRequest < 8, $"ZADD allocated {perRequest:F1} bytes per request");
    }

    private static byte[] Repeat(string request, int count)
    {
        var sb = new StringBuilder(request.Length * count);
        for (int i = 0; i < count; i++)
        {
            sb.Append(request);
        }
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static double MeasureAllocatedPerRequest(int port, byte[] batch, int replyLength) =>
        MeasureAllocatedPerRequest(port, batch, replyLength, replyLength);

    private static double MeasureAllocatedPerRequest(int port, byte[] batch, int replyLength, int secondReplyLength)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, port);
        // Warm up (JIT, pools), then measure a second identical round.
        RoundTrip(socket, batch, new byte[replyLength]);
        var reply = new byte[secondReplyLength];
        long before = GC.GetTotalAllocatedBytes(precise: true);
        RoundTrip(socket, batch, reply);
        long after = GC.GetTotalAllocatedBytes(precise: true);
        return (after - before) / (double)Requests;
    }

    private static void RoundTrip(Socket socket, byte[] batch, byte[] reply)
    {
        int sent = 0;
        int received = 0;
        // Send and receive interleaved so neither side's socket buffer fills up.
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
}

/// <summary>Allocation is measured process-wide, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(AllocationBudgetTests), DisableParallelization = true)]
public sealed class AllocationBudgetCollection;
