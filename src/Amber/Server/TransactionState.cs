using Amber.Commands;
using Amber.Protocol;

namespace Amber.Server;

/// <summary>
/// A client's MULTI/EXEC state (Redis's mstate and the CLIENT_MULTI / DIRTY_EXEC / DIRTY_CAS flags) and its
/// WATCHed keys. Created on first use; everything here runs under the keyspace lock (other clients' writes
/// mark <see cref="WatchTouched"/> through the <see cref="WatchRegistry"/>).
/// </summary>
internal sealed class TransactionState
{
    /// <summary>Commands queued since MULTI, in order, with their arguments copied.</summary>
    public List<QueuedCommand> Queue { get; } = [];

    /// <summary>A command was rejected while queueing (unknown, wrong arity ...): EXEC replies EXECABORT.</summary>
    public bool Aborted { get; set; }

    /// <summary>A watched key changed since WATCH: EXEC replies with a null array (CLIENT LIST flag 'd').</summary>
    public bool WatchTouched { get; set; }

    /// <summary>EXEC is running the queue now: commands run instead of being queued.</summary>
    public bool Executing { get; set; }

    /// <summary>Keys this client watches (each also listed in the registry under its database and name).</summary>
    public List<WatchedKey> Watched { get; } = [];

    /// <summary>Redis's argv_len_sums: bytes of the queued arguments plus a pointer per argument (CLIENT LIST multi-mem).</summary>
    public long QueuedBytes { get; set; }

    /// <summary>The union of the queued commands' flags: EXEC of a transaction with writes waits out CLIENT PAUSE WRITE.</summary>
    public CommandFlags QueuedFlags { get; set; }

    /// <summary>Forgets the queue and the MULTI/abort/touched state (not the watched keys).</summary>
    public void ClearQueue()
    {
        Queue.Clear();
        Aborted = false;
        WatchTouched = false;
        QueuedBytes = 0;
        QueuedFlags = CommandFlags.None;
    }
}

/// <summary>One queued command: the resolved spec (subcommand included) and its arguments in one copied buffer.</summary>
internal sealed class QueuedCommand
{
    private readonly byte[] _data;
    private readonly int[] _ends;

    public QueuedCommand(CommandSpec spec, ArgList args)
    {
        Spec = spec;
        int total = 0;
        for (int i = 0; i < args.Count; i++)
        {
            total += args[i].Length;
        }
        _data = GC.AllocateUninitializedArray<byte>(total);
        _ends = new int[args.Count];
        int at = 0;
        for (int i = 0; i < args.Count; i++)
        {
            ReadOnlySpan<byte> a = args[i];
            a.CopyTo(_data.AsSpan(at));
            at += a.Length;
            _ends[i] = at;
        }
    }

    public CommandSpec Spec { get; }

    public int ArgCount => _ends.Length;

    /// <summary>Bytes of the arguments (for multi-mem).</summary>
    public int DataLength => _data.Length;

    /// <summary>Loads the arguments into <paramref name="args"/> (as slices of this command's own buffer).</summary>
    public void LoadInto(ArgList args)
    {
        args.Clear();
        int start = 0;
        foreach (int end in _ends)
        {
            args.Add(_data, start, end - start);
            start = end;
        }
    }
}

/// <summary>One (client, database, key) watch.</summary>
internal sealed class WatchedKey(ClientSession session, int dbIndex, byte[] key)
{
    public ClientSession Session { get; } = session;
    public int DbIndex { get; } = dbIndex;
    public byte[] Key { get; } = key;

    /// <summary>
    /// The key was already logically expired (present, time passed) when watched: its later reclaiming is no
    /// change, as Redis 7.0's watchedKey.expired.
    /// </summary>
    public bool ExpiredWhenWatched { get; set; }
}
