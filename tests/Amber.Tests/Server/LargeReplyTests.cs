using System.Net;
using System.Net.Sockets;
using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Server;

/// <summary>Replies bigger than the socket buffers: sent in several writes, to a client that reads slowly.</summary>
public sealed class LargeReplyTests
{
    [Fact]
    public async Task ASlowReaderGetsEveryByteOfPipelinedLargeRepliesWhileOthersAreServed()
    {
        await using TestServer server = TestServer.Start();
        // Few large elements: a big reply that costs the (shared) event thread little to build.
        const int Elements = 10;
        const int ElementSize = 512 * 1024;
        var values = new byte[Elements][];
        // Async clients only: a test thread blocked in a synchronous read holds a pool thread, and new connections
        // start on the pool.
        using (Socket filler = await ConnectAsync(server.Port))
        {
            for (int e = 0; e < Elements; e++)
            {
                values[e] = new byte[ElementSize];
                for (int i = 0; i < ElementSize; i++)
                {
                    values[e][i] = (byte)('a' + (i + e) % 26);
                }
                await SendAllAsync(filler, [.. Encoding.ASCII.GetBytes($"*3\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n${ElementSize}\r\n"), .. values[e], .. "\r\n"u8]);
                Assert.Equal($":{e + 1}\r\n", await ReceiveTextAsync(filler, $":{e + 1}\r\n".Length));
            }
        }
        var one = new MemoryStream();
        one.Write(Encoding.ASCII.GetBytes($"*{Elements}\r\n"));
        foreach (byte[] value in values)
        {
            one.Write(Encoding.ASCII.GetBytes($"${ElementSize}\r\n"));
            one.Write(value);
            one.Write("\r\n"u8);
        }
        // Two large replies and a small one from one pipelined write: 10 MB, more than the socket buffers hold
        // (the send buffer grows to 4 MB at most here).
        byte[] expected = [.. one.ToArray(), .. one.ToArray(), .. "+PONG\r\n"u8];

        using Socket slow = await ConnectAsync(server.Port, receiveBufferSize: 4096);
        // A first round trip, so the connection's next receive completes on the event thread (where a send that
        // waited on the slow reader would hold up every client).
        await SendAllAsync(slow, "*1\r\n$4\r\nPING\r\n"u8.ToArray());
        Assert.Equal("+PONG\r\n", await ReceiveTextAsync(slow, 7));
        byte[] request = Encoding.ASCII.GetBytes(
            "*4\r\n$6\r\nLRANGE\r\n$3\r\nbig\r\n$1\r\n0\r\n$2\r\n-1\r\n" +
            "*4\r\n$6\r\nLRANGE\r\n$3\r\nbig\r\n$1\r\n0\r\n$2\r\n-1\r\n" +
            "*1\r\n$4\r\nPING\r\n");
        await SendAllAsync(slow, request);

        // The server cannot send it all before the client reads; it must go on serving others meanwhile.
        using (Socket other = await ConnectAsync(server.Port))
        {
            await SendAllAsync(other, "*2\r\n$4\r\nLLEN\r\n$3\r\nbig\r\n"u8.ToArray());
            Assert.Equal($":{Elements}\r\n", await ReceiveTextAsync(other, $":{Elements}\r\n".Length));
        }

        var received = new byte[expected.Length + 1];
        int total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (total < expected.Length)
        {
            // Small reads: the reply arrives in many pieces, across the server's writes.
            int n = await slow.ReceiveAsync(received.AsMemory(total, Math.Min(1500, received.Length - total)), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, $"connection closed after {total} of {expected.Length} bytes");
            total += n;
        }
        Assert.Equal(expected.Length, total);
        Assert.True(expected.AsSpan().SequenceEqual(received.AsSpan(0, total)), "reply bytes differ");
    }

    private static async Task<Socket> ConnectAsync(int port, int receiveBufferSize = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize > 0)
        {
            socket.ReceiveBufferSize = receiveBufferSize;
        }
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    private static async Task SendAllAsync(Socket socket, byte[] data)
    {
        for (int sent = 0; sent < data.Length;)
        {
            sent += await socket.SendAsync(data.AsMemory(sent), SocketFlags.None);
        }
    }

    private static async Task<string> ReceiveTextAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (int got = 0; got < length;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "connection closed");
            got += n;
        }
        return Encoding.ASCII.GetString(buffer);
    }
}
