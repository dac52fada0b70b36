using Amber.Notifications;

namespace Amber.Server;

/// <summary>The server's write effects: WATCH invalidation through <see cref="WatchRegistry"/>, notifications through <see cref="KeyspaceNotifier"/>.</summary>
internal sealed class ServerWriteEffects(AmberServer server) : WriteEffects
{
    public override void KeyModified(int dbIndex, ReadOnlySpan<byte> key) => server.Watches.KeyModified(dbIndex, key);

    public override void DatabaseModified(int dbIndex, int replacedWithIndex = -1) =>
        server.Watches.DatabaseModified(dbIndex, replacedWithIndex, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public override void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex) =>
        server.Notifier.Notify(type, eventName, key, dbIndex);
}
