using Amber.Keyspace;

namespace Amber.Server;

/// <summary>The server's one point-in-time snapshot at a time (BGSAVE, AOF rewrite and DEBUG RELOAD share it).</summary>
internal sealed partial class AmberServer
{
    private KeyspaceSnapshot? _snapshot;

    /// <summary>The snapshot still capturing, if any (INFO's current_save_keys_* and current_cow_size read it).</summary>
    public KeyspaceSnapshot? RunningSnapshot => _snapshot is { IsRunning: true } s ? s : null;

    /// <summary>
    /// Starts a snapshot of every database, as it is now; call under <see cref="KeyspaceLock"/>. Then drive it with
    /// <see cref="KeyspaceSnapshot.Run"/> and consume it with <see cref="KeyspaceSnapshot.WriteToAsync"/> (or
    /// <see cref="KeyspaceSnapshot.RunToCompletion"/> in the foreground). Throws <see cref="InvalidOperationException"/>
    /// while another snapshot is running.
    /// </summary>
    public KeyspaceSnapshot StartSnapshot(ISnapshotSink sink, SnapshotOptions? options = null)
    {
        if (!Monitor.IsEntered(KeyspaceLock))
        {
            throw new InvalidOperationException("A snapshot starts under the keyspace lock.");
        }
        if (RunningSnapshot != null)
        {
            throw new InvalidOperationException("A snapshot is already running.");
        }
        _snapshot = KeyspaceSnapshot.Start(Databases, KeyspaceLock, sink, options);
        return _snapshot;
    }

    /// <summary>At shutdown: a snapshot still running is abandoned (its consumer sees the abort and cleans up).</summary>
    private void AbortSnapshotForShutdown() =>
        RunningSnapshot?.Abort(new OperationCanceledException("The server is shutting down."));
}
