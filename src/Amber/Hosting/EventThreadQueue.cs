using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Amber.Hosting;

/// <summary>
/// Runs work posted from other threads on the socket event thread (see <see cref="SocketScheduling"/>), where client
/// connections run. The AOF flusher uses it to release the replies its fsync made durable: the connections then send
/// them and go on receiving on the event thread, as everything else, instead of waking a pool thread per round that
/// competes with the event thread for the CPU and the keyspace lock.
/// <para>
/// .NET has no API to post to its event thread, so this is a doorbell: a loopback socket pair whose receiving end
/// always has a receive pending. A receive completes on the event thread (inline completions), so posting is: queue
/// the item, and write one byte unless a byte is already on its way. Without inline completions the items run on a
/// pool thread, one turn for all of them.
/// </para>
/// </summary>
internal sealed class EventThreadQueue
{
    private static readonly Lazy<EventThreadQueue?> s_shared = new(TryCreate);
    private static readonly byte[] s_ring = [1];
    private static int s_eventThreadId;

    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _work = new();
    private readonly Socket _ringer;
    private readonly Socket _bell;
    private int _rung;
    private volatile bool _broken;

    private EventThreadQueue(Socket ringer, Socket bell)
    {
        _ringer = ringer;
        _bell = bell;
    }

    /// <summary>
    /// Whether the caller is the socket event thread: known once the queue has run its first item there (it posts one as
    /// it starts); never true where completions run on the thread pool instead.
    /// </summary>
    public static bool OnEventThread => Volatile.Read(ref s_eventThreadId) == Environment.CurrentManagedThreadId;

    /// <summary>The process's queue (one event loop per process), or null when the doorbell could not be made.</summary>
    public static EventThreadQueue? Shared => s_shared.Value;

    /// <summary>
    /// Runs <paramref name="action"/> on the event thread soon. It must be short, never block and never throw: it
    /// runs in the event loop, before other sockets' completions.
    /// </summary>
    public void Post(Action<object?> action, object? state)
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

    private static EventThreadQueue? TryCreate()
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var ringer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            ringer.Connect(listener.LocalEndPoint!);
            Socket bell = listener.Accept();
            var queue = new EventThreadQueue(ringer, bell);
            TurnPoll.Shared?.Watch(bell);
            _ = queue.PumpAsync();
            queue.Post(static _ =>
            {
                if (!Thread.CurrentThread.IsThreadPoolThread)
                {
                    Volatile.Write(ref s_eventThreadId, Environment.CurrentManagedThreadId);
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
