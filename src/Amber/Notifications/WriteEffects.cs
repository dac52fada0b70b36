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

    /// <summary>
    /// Every key of a database is about to change at once: call before FLUSHDB/FLUSHALL empties it, or before SWAPDB
    /// replaces its contents with those of <paramref name="replacedWithIndex"/> (-1 for a flush).
    /// </summary>
    public virtual void DatabaseModified(int dbIndex, int replacedWithIndex = -1)
    {
    }

    /// <summary>Publishes __keyspace@db__:key / __keyevent@db__:event when notify-keyspace-events selects the class.</summary>
    public virtual void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex)
    {
    }
}
