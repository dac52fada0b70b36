using Amber.Notifications;

namespace Amber.Server;

/// <summary>WATCH registry and keyspace notifier: the two consumers of <see cref="Effects"/>.</summary>
internal sealed partial class AmberServer
{
    private WatchRegistry? _watches;
    private KeyspaceNotifier? _notifier;

    /// <summary>Keys WATCHed by clients (MULTI/EXEC).</summary>
    public WatchRegistry Watches => _watches ??= new WatchRegistry(this);

    /// <summary>Keyspace notifications; pub/sub sets <see cref="KeyspaceNotifier.Publish"/>.</summary>
    public KeyspaceNotifier Notifier => _notifier ??= new KeyspaceNotifier(Config);
}
