using System.Threading.Tasks.Sources;

namespace Amber.Persistence.Aof;

/// <summary>
/// One connection's wait for an AOF position to be durable (appendfsync always), reused across waits. Each waiter is
/// completed on its own, so its continuation (send the reply, receive again) runs inline where it is completed: on
/// the event thread. Many awaits of one shared task would not: .NET runs only the first of several await
/// continuations inline and sends the others to the thread pool.
/// </summary>
internal sealed class DurabilityWaiter(AofWriter owner) : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core;

    /// <summary>The AOF position waited for.</summary>
    public long Lsn { get; private set; }

    /// <summary>The outcome decided under the writer's lock, delivered by <see cref="Complete"/>.</summary>
    public bool Durable { get; set; }

    public ValueTask<bool> Start(long lsn)
    {
        Lsn = lsn;
        return new ValueTask<bool>(this, _core.Version);
    }

    /// <summary>Runs the waiting continuation, inline on the calling thread.</summary>
    public void Complete() => _core.SetResult(Durable);

    public bool GetResult(short token)
    {
        bool result = _core.GetResult(token);
        _core.Reset();
        owner.ReturnWaiter(this);
        return result;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
