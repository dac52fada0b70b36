using Amber.Commands;

namespace Amber.Server;

/// <summary>What CLIENT PAUSE holds back. Ordered: a stronger pause includes the weaker.</summary>
internal enum PauseKind
{
    None = 0,
    Write = 1,
    All = 2,
}

/// <summary>
/// Server-wide CLIENT PAUSE state. The executor asks <see cref="Holds"/> before running a command (one volatile
/// read when nothing is paused); a held connection stops its batch, leaves the request in its buffer and awaits
/// <see cref="WaitAsync"/> outside the keyspace lock, then runs the request again. No thread waits per client.
/// </summary>
internal sealed class ClientPause : IDisposable
{
    private readonly object _gate = new();
    private readonly Timer _timer;
    private volatile int _kind;
    private long _endTicks;
    private TaskCompletionSource? _ended;

    public ClientPause()
    {
        _timer = new Timer(_ => ExpireIfDue(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>True while any pause is in force (cheap: one volatile read).</summary>
    public bool Active => _kind != (int)PauseKind.None;

    public PauseKind Kind => (PauseKind)_kind;

    /// <summary>Pauses for <paramref name="milliseconds"/>. As Redis, a pause only ever gets stronger and longer until it ends.</summary>
    public void Pause(PauseKind kind, long milliseconds)
    {
        lock (_gate)
        {
            long end = Environment.TickCount64 + Math.Max(0, milliseconds);
            if (_kind == (int)PauseKind.None)
            {
                Volatile.Write(ref _endTicks, end);
                _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                Volatile.Write(ref _endTicks, Math.Max(_endTicks, end));
            }
            _kind = Math.Max(_kind, (int)kind);
            ScheduleExpiry();
        }
    }

    /// <summary>Ends the pause now (CLIENT UNPAUSE, or the timeout) and releases every held client.</summary>
    public void Unpause()
    {
        TaskCompletionSource? ended;
        lock (_gate)
        {
            ended = EndLocked();
        }
        ended?.TrySetResult();
    }

    private TaskCompletionSource? EndLocked()
    {
        _kind = (int)PauseKind.None;
        TaskCompletionSource? ended = _ended;
        _ended = null;
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        return ended;
    }

    /// <summary>Whether a command with <paramref name="spec"/>'s flags must wait. Only call when <see cref="Active"/>.</summary>
    public bool Holds(CommandSpec spec) => Holds(spec.Flags);

    /// <summary>Whether a command with these flags must wait (EXEC: its own and its queued commands').</summary>
    public bool Holds(CommandFlags flags)
    {
        int kind = _kind;
        if (kind == (int)PauseKind.None)
        {
            return false;
        }
        if (Environment.TickCount64 >= Volatile.Read(ref _endTicks))
        {
            ExpireIfDue();
            return false;
        }
        // WRITE pauses what may change the dataset or replicate (as Redis's CMD_WRITE | CMD_MAY_REPLICATE).
        return kind == (int)PauseKind.All || (flags & (CommandFlags.Write | CommandFlags.MayReplicate)) != 0;
    }

    /// <summary>Completes when the current pause ends (at once if none).</summary>
    public Task WaitAsync()
    {
        lock (_gate)
        {
            return _ended?.Task ?? Task.CompletedTask;
        }
    }

    private void ExpireIfDue()
    {
        TaskCompletionSource? ended;
        lock (_gate)
        {
            if (_kind == (int)PauseKind.None)
            {
                return;
            }
            if (Environment.TickCount64 < _endTicks)
            {
                ScheduleExpiry();
                return;
            }
            ended = EndLocked();
        }
        ended?.TrySetResult();
    }

    private void ScheduleExpiry()
    {
        long due = Math.Max(0, _endTicks - Environment.TickCount64);
        _timer.Change(Math.Min(due, int.MaxValue - 1), Timeout.Infinite);
    }

    public void Dispose() => _timer.Dispose();
}
