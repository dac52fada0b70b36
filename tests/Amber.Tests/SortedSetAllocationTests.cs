using System.Net;
using System.Net.Sockets;
using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>
/// Sorted-set hot paths allocate nothing per request: score lookups, ranks, small ranges and score updates of
/// existing members (measured process-wide over a pipelined batch, so the budgets include a little noise).
/// </summary>
[Collection(nameof(AllocationBudgetTests))]
public class SortedSetAllocationTests
{
    private const int Requests = 20000;

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    public async Task ReadsAndUpdatesAllocateNothingPerRequest(int size)
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        var args = new List<string> { "ZADD", "z" };
        for (int i = 0; i < size; i++)
        {
            args.Add((i * 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture));
            args.Add("member:" + i);
        }
        c.Call([.. args]);

        double zscore = Measure(server, ["ZSCORE", "z", "member:7"]);
        Assert.True(zscore < 8, $"ZSCORE {zscore}");
        Assert.True(Measure(server, ["ZRANK", "z", "member:42"]) < 8, "ZRANK");
        Assert.True(Measure(server, ["ZRANGE", "z", "10", "19", "WITHSCORES"]) < 8, "ZRANGE");
        Assert.True(Measure(server, ["ZRANGEBYSCORE", "z", "(3", "30", "LIMIT", "0", "5"]) < 8, "ZRANGEBYSCORE");
        Assert.True(Measure(server, ["ZINCRBY", "z", "0", "member:3"]) < 8, "ZINCRBY");
        // Alternating scores: every request moves the member (the reply is ":0" each time).
        Assert.True(Measure(server, ["ZADD", "z", "5", "member:9"], ["ZADD", "z", "500", "member:9"]) < 8, "ZADD update");
    }

    private static string Request(string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(a.Length).Append("\r\n").Append(a).Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>Bytes allocated per request over a pipelined batch repeating <paramref name="cycle"/> (after a warm-up batch).</summary>
    private static double Measure(TestServer server, params string[][] cycle)
    {
        // One round first, over a plain client: the replies' total length (the same every round) sizes the batch's reply.
        using RawClient probe = server.Raw();
        int replyLength = 0;
        var request = new StringBuilder();
        foreach (string[] command in cycle)
        {
            replyLength += Encoding.ASCII.GetByteCount(probe.Call(command));
            request.Append(Request(command));
        }
        int rounds = Requests / cycle.Length;
        byte[] batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(request.ToString(), rounds)));
        var reply = new byte[replyLength * rounds];
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, server.Port);
        RoundTrip(socket, batch, reply);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        RoundTrip(socket, batch, reply);
        long after = GC.GetTotalAllocatedBytes(precise: true);
        return (after - before) / (double)(rounds * cycle.Length);
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
}
