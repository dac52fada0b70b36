namespace Amber.Notifications;

/// <summary>
/// Where a key change goes besides the keyspace: WATCH invalidation (transactions) and keyspace notifications
/// (pub/sub). Both are filled in by their features; until then these are no-ops. Runs under the keyspace lock.
/// </summary>
internal class WriteEffects
{
    /// <summary>Invalidates WATCHes on the key (and anything else keyed on modification).</summary>
    public virtual void KeyModified(int dbIndex, ReadOnlySpan<byte> key)
    {
    }

    /// <summary>Every key of a database changed at once (FLUSHDB, FLUSHALL, SWAPDB).</summary>
    public virtual void DatabaseModified(int dbIndex)
    {
    }

    /// <summary>Publishes __keyspace@db__:key / __keyevent@db__:event when notify-keyspace-events selects the class.</summary>
    public virtual void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex)
    {
    }
}
