namespace Amber.Hosting;

/// <summary>
/// Runs work posted from other threads on the socket event thread, where client connections run. The AOF flusher uses
/// it to release the replies its fsync made durable: the connections then send them and go on receiving on the event
/// thread, as everything else, instead of waking a pool thread per round that competes with the event thread for the
/// CPU and the keyspace lock; <see cref="Server.ReplyBatching"/> uses it to send a turn's replies at its end.
/// The event thread is Amber's own <see cref="EventLoop"/> where it runs, else .NET's (<see cref="SocketDoorbell"/>).
/// </summary>
internal abstract class EventThreadQueue
{
    private static readonly Lazy<EventThreadQueue?> s_shared = new(() => (EventThreadQueue?)EventLoop.Shared ?? SocketDoorbell.TryCreate());
    private static int s_eventThreadId;

    /// <summary>
    /// Whether the caller is the socket event thread: known once the queue has run its first item there; never true
    /// where completions run on the thread pool instead.
    /// </summary>
    public static bool OnEventThread => Volatile.Read(ref s_eventThreadId) == Environment.CurrentManagedThreadId;

    /// <summary>The process's queue (one event loop per process), or null when none could be made.</summary>
    public static EventThreadQueue? Shared => s_shared.Value;

    /// <summary>
    /// Runs <paramref name="action"/> on the event thread soon. It must be short, never block and never throw: it
    /// runs in the event loop, before other sockets' completions.
    /// </summary>
    public abstract void Post(Action<object?> action, object? state);

    protected static void MarkEventThread() => Volatile.Write(ref s_eventThreadId, Environment.CurrentManagedThreadId);
}
