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
    public async Task SetOverwriteAllocatesOnlyTheValue()
    {
        await using var server = TestServer.Start();
        byte[] batch = Repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", Requests);
        int replyLength = "+OK\r\n".Length * Requests;

        double perRequest = MeasureAllocatedPerRequest(server.Port, batch, replyLength);

        // The stored value (a 5-byte array: 32 bytes with its header) is the only allocation a SET needs.
        Assert.True(perRequest < 48, $"SET allocated {perRequest:F1} bytes per request");
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

    private static double MeasureAllocatedPerRequest(int port, byte[] batch, int replyLength)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, port);
        var reply = new byte[replyLength];
        // Warm up (JIT, pools), then measure a second identical round.
        RoundTrip(socket, batch, reply);
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
