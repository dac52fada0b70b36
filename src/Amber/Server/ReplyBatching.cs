using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Amber.Hosting;

namespace Amber.Server;

/// <summary>
/// While several clients are being served, a batch's replies wait for the end of the event thread's turn and go out
/// together with the other connections' replies, as Redis writes its replies once per event-loop iteration. Sent one
/// at a time, each reply let a busy client answer at once, so the event thread ran dry after every request or two and
/// went to sleep, and every next request then had to wake it: on this VM that cross-CPU wake-up, paid inside the
/// client's send, took 23% of redis-benchmark's CPU at LRANGE_100 pipeline 1 (7.6% against Redis). Batched, the
/// client finds several replies at once, sends several requests, and the event thread finds several ready.
/// <para>
/// The end of the turn is where the event thread runs posted work (<see cref="EventThreadQueue"/>: after the sockets
/// that were ready with it). The first waiting connection posts the flush; each
/// waiting connection then sends its reply there, in the order they waited. A lone client is answered at once: a
/// batch waits only on the event thread, and only while another connection has had a batch within the last 50 µs or
/// is waiting already, so one client's request-reply loop never pays an extra turn per request.
/// </para>
/// </summary>
internal sealed class ReplyBatching
{
    internal static readonly long RecentTicks = Stopwatch.Frequency / 20_000;

    private readonly Lock _lock = new();
    private readonly List<TurnWaiter> _waiting = [];
    private TurnWaiter[] _flushing = new TurnWaiter[64];
    private bool _posted;
    private object? _lastConnection;
    private long _lastBatchTicks;
    private long _waited;

    /// <summary>The event thread's (one event loop per process, as <see cref="EventThreadQueue"/>).</summary>
    public static ReplyBatching Shared { get; } = new();

    /// <summary>Batches whose replies waited for the end of a turn (tests).</summary>
    internal long WaitedBatches => Interlocked.Read(ref _waited);

    /// <summary>Whether <paramref name="connection"/>'s replies should wait for the end of the turn (see the class notes).</summary>
    public bool ShouldWait(object connection)
    {
        // The queue is made on first use; it learns the event thread's identity from its first item.
        if (EventThreadQueue.Shared == null || !EventThreadQueue.OnEventThread)
        {
            return false;
        }
        return OthersBusy(connection, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Notes a batch of <paramref name="connection"/> at <paramref name="now"/> (Stopwatch ticks); true when another
    /// connection had one within <see cref="RecentTicks"/> or a connection is waiting for the end of the turn.
    /// </summary>
    internal bool OthersBusy(object connection, long now)
    {
        lock (_lock)
        {
            bool busy = _waiting.Count > 0 ||
                (!ReferenceEquals(_lastConnection, connection) && now - _lastBatchTicks < RecentTicks);
            _lastConnection = connection;
            _lastBatchTicks = now;
            return busy;
        }
    }

    /// <summary>Completes at the end of the event thread's turn; the continuation runs there.</summary>
    public ValueTask<bool> WaitForTurnEnd(TurnWaiter waiter)
    {
        ValueTask<bool> wait = waiter.Start();
        bool post;
        lock (_lock)
        {
            _waiting.Add(waiter);
            post = !_posted;
            _posted = true;
            _waited++;
        }
        if (post)
        {
            EventThreadQueue.Shared!.Post(static state => ((ReplyBatching)state!).Flush(), this);
        }
        return wait;
    }

    private void Flush()
    {
        TurnWaiter[] flushing;
        int count;
        lock (_lock)
        {
            _posted = false;
            count = _waiting.Count;
            if (_flushing.Length < count)
            {
                _flushing = new TurnWaiter[count * 2];
            }
            flushing = _flushing;
            _waiting.CopyTo(flushing);
            _waiting.Clear();
        }
        for (int i = 0; i < count; i++)
        {
            TurnWaiter waiter = flushing[i];
            flushing[i] = null!;
            // Runs the connection's continuation inline: it sends its reply and receives again.
            waiter.Complete();
        }
        // Clients that just got their replies answer within microseconds: wait for them awake, not in epoll_wait.
        if (EventLoop.Shared is { } loop)
        {
            loop.PollBeforeSleep();
        }
        else
        {
            TurnPoll.Shared?.Poll();
        }
    }

    /// <summary>One connection's wait for the end of a turn, reused across batches.</summary>
    internal sealed class TurnWaiter : IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _core;

        public ValueTask<bool> Start() => new(this, _core.Version);

        public void Complete() => _core.SetResult(true);

        public bool GetResult(short token)
        {
            bool result = _core.GetResult(token);
            _core.Reset();
            return result;
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
