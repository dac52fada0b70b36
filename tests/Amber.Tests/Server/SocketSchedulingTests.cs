using System.Net;
using System.Net.Sockets;
using Amber.Hosting;

namespace Amber.Tests.Server;

public sealed class SocketSchedulingTests
{
    /// <summary>
    /// The test host must run sockets as amber-server does (sockets.runsettings), or the suite would not exercise
    /// the event-thread scheduling the server ships with: a receive that had to wait resumes on the event thread,
    /// not on a thread-pool thread.
    /// </summary>
    [Fact]
    public async Task PendingReceiveCompletesOnTheEventThreadInThisProcess()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using Socket server = await listener.AcceptAsync();

        var buffer = new byte[1];
        ValueTask<int> receive = server.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
        Assert.False(receive.IsCompleted);
        bool? onPoolThread = null;
        Task observed = ObserveAsync(receive, pool => onPoolThread = pool);
        await client.SendAsync(new byte[] { 1 }, SocketFlags.None);
        await observed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(onPoolThread);
        Assert.Equal("1", Environment.GetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable));
    }

    private static async Task ObserveAsync(ValueTask<int> receive, Action<bool> report)
    {
        await receive.ConfigureAwait(false);
        report(Thread.CurrentThread.IsThreadPoolThread);
    }
}
