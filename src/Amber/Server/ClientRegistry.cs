namespace Amber.Server;

/// <summary>Every connected client by id: backs CLIENT LIST/KILL, maxclients, timeouts and shutdown.</summary>
internal sealed class ClientRegistry
{
    private readonly Dictionary<long, ClientSession> _clients = [];
    private long _nextId;

    public int Count
    {
        get
        {
            lock (_clients)
            {
                return _clients.Count;
            }
        }
    }

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ClientSession session)
    {
        lock (_clients)
        {
            _clients[session.Id] = session;
        }
    }

    public void Remove(ClientSession session)
    {
        lock (_clients)
        {
            _clients.Remove(session.Id);
        }
        session.Server.Monitors.Remove(session);
    }

    public ClientSession? Find(long id)
    {
        lock (_clients)
        {
            return _clients.GetValueOrDefault(id);
        }
    }

    /// <summary>A copy, in id order, safe to iterate while clients come and go.</summary>
    public List<ClientSession> Snapshot()
    {
        lock (_clients)
        {
            var list = new List<ClientSession>(_clients.Values);
            list.Sort((a, b) => a.Id.CompareTo(b.Id));
            return list;
        }
    }
}
