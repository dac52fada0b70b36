using System.Diagnostics;
using Amber.Keyspace;

namespace Amber.Server;

/// <summary>
/// Clients blocked on keys (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP), as Redis's blocking_keys / ready_keys.
/// <para><b>Design.</b> A blocked client holds neither the keyspace lock nor a thread while it waits.</para>
/// <list type="number">
/// <item>The command finds nothing to pop. Unless blocking is denied (inside EXEC: it then replies as on a
/// timeout), it builds a <see cref="BlockedClient"/> (keys, deadline, serve function, parameters), calls
/// <see cref="Block"/> (which appends it to the FIFO of every key it waits on) and sets
/// <see cref="ClientSession.Blocked"/>. It writes no reply.</item>
/// <item>The executor sees <c>session.Blocked</c> and ends the batch after that request (it is consumed; later
/// pipelined requests stay in the buffer). It does not count the command yet: as Redis's updateStatsOnUnblock,
/// the call is counted when the client is unblocked.</item>
/// <item>The connection sends the replies of the requests before it, then awaits <see cref="BlockedClient.Completion"/>,
/// a timer for the deadline, and a receive on the socket (so a disconnect is noticed; bytes that arrive are kept
/// for later). No lock and no thread is held meanwhile.</item>
/// <item>A command that creates a key someone waits on (any write that adds a key: LPUSH, LMOVE's destination,
/// RENAME, ...) reaches <see cref="SignalKeyAdded"/> through <see cref="KeyspaceEvents.OnKeyAdded"/>; the key
/// goes on the ready list. After each command of a batch (after EXEC as a whole, never between the commands of
/// a transaction), the executor calls <see cref="HandleReadyKeys"/>, still under the lock: for every ready key,
/// the clients waiting on it are served first-blocked first-served while the key still holds data. Serving
/// writes the reply into <see cref="BlockedClient.Reply"/> (not the session's reply buffer, which the
/// connection may be sending from), unregisters the client from all its keys and completes its Completion.
/// Serving can create other keys (BLMOVE), which are handled in the same loop, as Redis does.</item>
/// <item>Every other way out goes through the lock too and is decided once (<see cref="BlockedClient.Waiting"/>):
/// the deadline (<see cref="TimeOut"/>: null array reply), CLIENT UNBLOCK (<see cref="UnblockByRequest"/>:
/// timeout reply or -UNBLOCKED error), and a disconnect (<see cref="Abandon"/>: no reply).</item>
/// <item>The connection wakes, appends the reply to the session's reply buffer, clears <c>session.Blocked</c>,
/// runs whatever pipelined requests followed, and sends. </item>
/// </list>
/// All methods except <see cref="TimeOut"/> and <see cref="Abandon"/> run under the keyspace lock.
/// </summary>
internal sealed class BlockingRegistry(AmberServer server)
{
    private readonly Dictionary<byte[], LinkedList<BlockedClient>>?[] _waiting = new Dictionary<byte[], LinkedList<BlockedClient>>?[server.Databases.Length];
    private readonly HashSet<byte[]>?[] _readySet = new HashSet<byte[]>?[server.Databases.Length];
    private List<(int Db, byte[] Key)> _ready = [];
    private List<(int Db, byte[] Key)> _spare = [];
    private int _blockedCount;
    private int _timeoutCount;
    private int _keyCount;

    /// <summary>Clients waiting now (INFO clients blocked_clients).</summary>
    public int BlockedCount => Volatile.Read(ref _blockedCount);

    /// <summary>Waiting clients with a deadline (INFO clients clients_in_timeout_table).</summary>
    public int TimeoutCount => Volatile.Read(ref _timeoutCount);

    /// <summary>Distinct keys with at least one waiting client.</summary>
    public int KeyCount => _keyCount;

    /// <summary>Whether a command signalled keys that waiting clients may now be served from.</summary>
    public bool HasReadyKeys => _ready.Count > 0;

    /// <summary>Registers a blocked client on each of its keys, behind those already waiting.</summary>
    public void Block(BlockedClient client)
    {
        Dictionary<byte[], LinkedList<BlockedClient>> byKey = _waiting[client.DbIndex] ??= new(ByteKeyComparer.Instance);
        var nodes = new LinkedListNode<BlockedClient>?[client.Keys.Length];
        for (int i = 0; i < client.Keys.Length; i++)
        {
            if (!byKey.TryGetValue(client.Keys[i], out LinkedList<BlockedClient>? queue))
            {
                queue = new LinkedList<BlockedClient>();
                byKey.Add(client.Keys[i], queue);
                _keyCount++;
            }
            if (queue.Last?.Value != client)
            {
                // A key named twice (BLPOP k k 0) waits once, as Redis's per-client key set does.
                nodes[i] = queue.AddLast(client);
            }
        }
        client.Nodes = nodes;
        client.Waiting = true;
        client.Session.Blocked = client;
        Interlocked.Increment(ref _blockedCount);
        if (client.DeadlineMs > 0)
        {
            Interlocked.Increment(ref _timeoutCount);
        }
    }

    /// <summary>Called when a key is added to a database: queues it if anyone waits on it.</summary>
    public void SignalKeyAdded(int db, ReadOnlySpan<byte> key)
    {
        if (_keyCount == 0)
        {
            return;
        }
        Dictionary<byte[], LinkedList<BlockedClient>>? byKey = _waiting[db];
        if (byKey == null || byKey.Count == 0 ||
            !byKey.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out byte[]? storedKey, out _))
        {
            return;
        }
        HashSet<byte[]> readySet = _readySet[db] ??= new HashSet<byte[]>(ByteKeyComparer.Instance);
        if (readySet.Add(storedKey))
        {
            _ready.Add((db, storedKey));
        }
    }

    /// <summary>Queues every waited-on key that exists in the database (after SWAPDB or a database load).</summary>
    public void SignalExistingKeys(Database db)
    {
        Dictionary<byte[], LinkedList<BlockedClient>>? byKey = _waiting[db.Index];
        if (byKey == null)
        {
            return;
        }
        foreach (byte[] key in byKey.Keys)
        {
            if (db.FindRaw(key) != null)
            {
                SignalKeyAdded(db.Index, key);
            }
        }
    }

    /// <summary>Serves clients waiting on the keys signalled since the last call (Redis's handleClientsBlockedOnKeys).</summary>
    public void HandleReadyKeys()
    {
        while (_ready.Count > 0)
        {
            List<(int Db, byte[] Key)> batch = _ready;
            _ready = _spare;
            _spare = batch;
            long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach ((int db, byte[] key) in batch)
            {
                _readySet[db]!.Remove(key);
                ServeKey(server.Databases[db], key, nowMs);
            }
            batch.Clear();
        }
    }

    private void ServeKey(Database db, byte[] key, long nowMs)
    {
        if (_waiting[db.Index] is not { } byKey || !byKey.TryGetValue(key, out LinkedList<BlockedClient>? queue))
        {
            return;
        }
        LinkedListNode<BlockedClient>? node = queue.First;
        while (node != null && db.Find(key, nowMs) != null)
        {
            LinkedListNode<BlockedClient>? next = node.Next;
            BlockedClient client = node.Value;
            long t0 = Stopwatch.GetTimestamp();
            if (Serve(client, db, key, nowMs))
            {
                Unblock(client, (long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds, countCall: true);
            }
            node = next;
        }
    }

    /// <summary>
    /// Serves one client as its own propagation unit: what the serve function propagates (BLPOP's LPOP, BLMOVE's
    /// LMOVE) reaches the sinks before the next client is served, as Redis propagates after each served client.
    /// </summary>
    private bool Serve(BlockedClient client, Database db, byte[] key, long nowMs)
    {
        Propagation.PropagationStream propagation = server.Propagation;
        if (!propagation.Active)
        {
            return client.Serve(client, db, key, nowMs);
        }
        propagation.Enter();
        try
        {
            return client.Serve(client, db, key, nowMs);
        }
        finally
        {
            propagation.Exit();
        }
    }

    /// <summary>The deadline passed: replies with a null array (timeout) unless something else unblocked it first.</summary>
    public void TimeOut(BlockedClient client)
    {
        lock (server.KeyspaceLock)
        {
            if (client.Waiting)
            {
                client.Reply.WriteNullArray();
                Unblock(client, 0, countCall: true);
            }
        }
    }

    /// <summary>The client disconnected while blocked: stop waiting, without a reply or statistics.</summary>
    public void Abandon(BlockedClient client)
    {
        lock (server.KeyspaceLock)
        {
            if (client.Waiting)
            {
                Unblock(client, 0, countCall: false);
            }
        }
    }

    /// <summary>CLIENT UNBLOCK: ends the wait with the timeout reply, or with the -UNBLOCKED error. False if not blocked.</summary>
    public bool UnblockByRequest(ClientSession target, bool error)
    {
        if (target.Blocked is not { Waiting: true } client)
        {
            return false;
        }
        if (error)
        {
            client.Error(Commands.Errors.Unblocked);
        }
        else
        {
            client.Reply.WriteNullArray();
        }
        Unblock(client, 0, countCall: true);
        return true;
    }

    private void Unblock(BlockedClient client, long serveMicros, bool countCall)
    {
        Dictionary<byte[], LinkedList<BlockedClient>> byKey = _waiting[client.DbIndex]!;
        for (int i = 0; i < client.Nodes.Length; i++)
        {
            LinkedListNode<BlockedClient>? node = client.Nodes[i];
            if (node?.List is { } queue)
            {
                queue.Remove(node);
                if (queue.Count == 0)
                {
                    byKey.Remove(client.Keys[i]);
                    _keyCount--;
                }
            }
        }
        client.Nodes = [];
        client.Waiting = false;
        Interlocked.Decrement(ref _blockedCount);
        if (client.DeadlineMs > 0)
        {
            Interlocked.Decrement(ref _timeoutCount);
        }
        if (countCall)
        {
            // As Redis's updateStatsOnUnblock: the blocked command is counted once, now.
            client.Command.Calls++;
            client.Command.MicrosecondsTotal += client.InitialMicros + serveMicros;
            if (server.Config.LatencyTracking)
            {
                (client.Command.Latency ??= new Diagnostics.LatencyHistogram()).Record((client.InitialMicros + serveMicros) * 1000);
            }
            if (client.Failed)
            {
                client.Command.FailedCalls++;
            }
            server.Stats.TotalCommandsProcessed++;
        }
        client.Completion.TrySetResult();
    }

    /// <summary>Byte-array keys compared by content; lookups by span without allocating.</summary>
    private sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key) => (int)KeyHash.Of(key);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)KeyHash.Of(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
