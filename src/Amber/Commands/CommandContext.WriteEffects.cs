using Amber.Notifications;

namespace Amber.Commands;

/// <summary>
/// The one call every write command makes for each key it changed, as Redis pairs signalModifiedKey,
/// notifyKeyspaceEvent and dirty++: it counts the change (save points, INFO rdb_changes_since_last_save),
/// invalidates WATCHes on the key, and publishes the keyspace notification.
/// </summary>
internal sealed partial class CommandContext
{
    /// <summary>Records that <paramref name="key"/> in the current database was changed by this command.</summary>
    public void KeyWritten(ReadOnlySpan<byte> key, NotifyFlags type, string eventName, long changes = 1)
    {
        Server.Dirty += changes;
        Server.Effects.KeyModified(Session.DbIndex, key);
        Server.Effects.Notify(type, eventName, key, Session.DbIndex);
    }

    /// <summary>Same as <see cref="KeyWritten"/> for a key in another database (MOVE, COPY DB n, SMOVE across dbs).</summary>
    public void KeyWrittenIn(int dbIndex, ReadOnlySpan<byte> key, NotifyFlags type, string eventName, long changes = 1)
    {
        Server.Dirty += changes;
        Server.Effects.KeyModified(dbIndex, key);
        Server.Effects.Notify(type, eventName, key, dbIndex);
    }

    /// <summary>
    /// A further notification about a key this command already reported with <see cref="KeyWritten"/> (SET's "expire"
    /// after "set", LMOVE's "del" of an emptied source): no dirty count, no second WATCH touch.
    /// </summary>
    public void KeyEvent(ReadOnlySpan<byte> key, NotifyFlags type, string eventName) =>
        Server.Effects.Notify(type, eventName, key, Session.DbIndex);

    /// <summary>A read lookup found no key: Redis's "keymiss" notification (class m), sent with the miss statistic.</summary>
    public void KeyMissed(ReadOnlySpan<byte> key) =>
        Server.Effects.Notify(NotifyFlags.KeyMiss, "keymiss", key, Session.DbIndex);
}
