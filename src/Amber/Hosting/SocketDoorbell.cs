using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Amber.Hosting;

/// <summary>
/// The event-thread queue where client sockets run on .NET's socket engine (<see cref="SocketScheduling"/>; Amber's
/// own <see cref="EventLoop"/> is off or not available). .NET has no API to post to its event thread, so this is a
/// doorbell: a loopback socket pair whose receiving end always has a receive pending. A receive completes on the event
/// thread (inline completions), so posting is: queue the item, and write one byte unless a byte is already on its way.
/// Without inline completions the items run on a pool thread, one turn for all of them.
/// </summary>
internal sealed class SocketDoorbell : EventThreadQueue
{
    private static readonly byte[] s_ring = [1];

    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _work = new();
    private readonly Socket _ringer;
    private readonly Socket _bell;
    private int _rung;
    private volatile bool _broken;

    private SocketDoorbell(Socket ringer, Socket bell)
    {
        _ringer = ringer;
        _bell = bell;
    }

    public override void Post(Action<object?> action, object? state)
    {
        _work.Enqueue((action, state));
        // The pump clears _rung before it drains, so an item queued after the drain began either is drained by it or
        // rings again.
        if (Interlocked.Exchange(ref _rung, 1) != 0)
        {
            return;
        }
        if (!_broken)
        {
            try
            {
                _ringer.Send(s_ring);
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _broken = true;
            }
        }
        ThreadPool.UnsafeQueueUserWorkItem(static q => q.Drain(), this, preferLocal: false);
    }

    public static SocketDoorbell? TryCreate()
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var ringer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            ringer.Connect(listener.LocalEndPoint!);
            Socket bell = listener.Accept();
            var queue = new SocketDoorbell(ringer, bell);
            TurnPoll.Shared?.Watch(bell);
            _ = queue.PumpAsync();
            queue.Post(static _ =>
            {
                if (!Thread.CurrentThread.IsThreadPoolThread)
                {
                    MarkEventThread();
                }
            }, null);
            return queue;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private async Task PumpAsync()
    {
        byte[] rings = new byte[64];
        while (true)
        {
            int n;
            try
            {
                n = await _bell.ReceiveAsync(rings.AsMemory(), SocketFlags.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                n = 0;
            }
            if (n == 0)
            {
                // Never expected (nothing closes the pair): fall back to the pool for what is queued and what comes.
                _broken = true;
                Drain();
                return;
            }
            Drain();
        }
    }

    private void Drain()
    {
        Interlocked.Exchange(ref _rung, 0);
        while (_work.TryDequeue(out (Action<object?> Action, object? State) item))
        {
            item.Action(item.State);
        }
    }
}
