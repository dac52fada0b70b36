using System.Net;
using System.Net.Sockets;
using Amber.Hosting;

namespace Amber.Tests.Hosting;

/// <summary>
/// A client socket on Amber's own event loop (Linux): epoll reports it edge-triggered, so every rule that stands in for
/// an event that will not come again is tested here with a real loopback socket.
/// </summary>
public sealed class EventLoopSocketTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly Socket _client;
    private readonly Socket _server;

    public EventLoopSocketTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(listener.LocalEndPoint!);
        _server = listener.Accept();
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    // The server end on Amber's loop, or null off Linux, where the server keeps .NET's socket engine; on Linux the loop
    // must be there.
    private EventLoopSocket? Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        return new EventLoopSocket(_server, EventLoop.Shared ?? throw new InvalidOperationException("no event loop on Linux"));
    }

    // 32 MB sent while nobody reads: the socket takes what fits in its buffers, and the rest must wait for room.
    private static async Task<(byte[] Data, int First)> SendMoreThanFits(EventLoopSocket socket)
    {
        byte[] data = new byte[32 * 1024 * 1024];
        new Random(7).NextBytes(data);
        int first = await socket.SendAsync(data);
        Assert.InRange(first, 1, data.Length - 1);
        return (data, first);
    }

    [Fact]
    public async Task AWaitingReceiveCompletesOnTheLoopWithTheBytesSent()
    {
        if (Open() is not { } socket)
        {
            return;
        }
        byte[] buffer = new byte[1024];
        ValueTask<int> receive = await OnLoop(() => socket.ReceiveAsync(buffer));
        Assert.False(receive.IsCompleted);
        Task<(int, bool)> observed = Observe(receive);
        _client.Send("hello"u8);
        (int n, bool onLoop) = await observed.WaitAsync(Timeout);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(onLoop, "the receive's continuation did not run on the loop");
        socket.Close();
    }

    [Fact]
    public async Task WhatDoesNotFitTheBufferIsReceivedWithoutAnotherEvent()
    {
        byte[] sent = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        _client.Send(sent);
        if (Open() is not { } socket)
        {
            return;
        }
        var received = new List<byte>();
        byte[] buffer = new byte[10];
        while (received.Count < sent.Length)
        {
            int n = await socket.ReceiveAsync(buffer).AsTask().WaitAsync(Timeout);
            Assert.True(n > 0);
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        Assert.Equal(sent, received);
        socket.Close();
    }

    [Fact]
    public async Task APeerThatShutsItsSideDownIsSeenToEnd()
    {
        _client.Send("x"u8);
        _client.Shutdown(SocketShutdown.Send);
        if (Open() is not { } socket)
        {
            return;
        }
        // The loop takes the one event (input and its end together) before the first receive.
        await OnLoop(() => 0);
        byte[] buffer = new byte[1024];
        Assert.Equal(1, await socket.ReceiveAsync(buffer).AsTask().WaitAsync(Timeout));
        Assert.Equal(0, await socket.ReceiveAsync(buffer).AsTask().WaitAsync(Timeout));
        socket.Close();
    }

    [Fact]
    public async Task ClosingEndsAWaitingReceive()
    {
        if (Open() is not { } socket)
        {
            return;
        }
        ValueTask<int> receive = socket.ReceiveAsync(new byte[1024]);
        Assert.False(receive.IsCompleted);
        socket.Close();
        Assert.Equal(0, await receive.AsTask().WaitAsync(Timeout));
        Assert.Equal(0, await socket.ReceiveAsync(new byte[1024]).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task ASendBiggerThanTheSocketBuffersWaitsForRoom()
    {
        if (Open() is not { } socket)
        {
            return;
        }
        (byte[] data, int first) = await SendMoreThanFits(socket);
        Task sending = Task.Run(async () =>
        {
            ReadOnlyMemory<byte> rest = data.AsMemory(first);
            while (rest.Length > 0)
            {
                rest = rest[await socket.SendAsync(rest)..];
            }
        });
        byte[] received = new byte[data.Length];
        int total = 0;
        while (total < received.Length)
        {
            total += _client.Receive(received, total, received.Length - total, SocketFlags.None);
        }
        await sending.WaitAsync(Timeout);
        Assert.Equal(data, received);
        socket.Close();
    }

    [Fact]
    public async Task ClosingEndsASendWaitingForRoom()
    {
        if (Open() is not { } socket)
        {
            return;
        }
        (byte[] data, int first) = await SendMoreThanFits(socket);
        // Nobody reads: the rest waits for room until the socket closes.
        Task<int> waiting = socket.SendAsync(data.AsMemory(first)).AsTask();
        Assert.False(waiting.IsCompleted);
        socket.Close();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Timeout));
    }

    [Fact]
    public async Task NoEventIsLostOverManyRoundTrips()
    {
        if (Open() is not { } socket)
        {
            return;
        }
        const int Rounds = 20_000;
        Task echo = Task.Run(async () =>
        {
            byte[] buffer = new byte[64];
            for (int i = 0; i < Rounds; i++)
            {
                int n = await socket.ReceiveAsync(buffer);
                Assert.Equal(1, n);
                Assert.Equal(1, await socket.SendAsync(buffer.AsMemory(0, 1)));
            }
        });
        byte[] one = new byte[1];
        _client.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        for (int i = 0; i < Rounds; i++)
        {
            one[0] = (byte)i;
            _client.Send(one);
            Assert.Equal(1, _client.Receive(one));
            Assert.Equal((byte)i, one[0]);
        }
        await echo.WaitAsync(Timeout);
        socket.Close();
    }

    private static Task<T> OnLoop<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        EventLoop.Shared!.Post(_ => done.SetResult(action()), null);
        return done.Task.WaitAsync(Timeout);
    }

    private static async Task<(int, bool)> Observe(ValueTask<int> receive)
    {
        int n = await receive.ConfigureAwait(false);
        return (n, EventThreadQueue.OnEventThread);
    }
}
