using System.Diagnostics;
using Amber.Protocol;

namespace Amber.Propagation;

/// <summary>
/// The ordered stream of every change to the dataset (DESIGN §1, §5), delivered to the registered
/// <see cref="IPropagationSink"/>s (the AOF; replicas later) in Redis 7.0's propagated form. docs/propagation.md
/// lists every command whose propagated form differs from what the client sent.
/// <para><b>Execution units.</b> Changes are collected per unit and delivered when the outermost unit ends: a
/// top-level command (EXEC with all its queued commands is one), the serving of one blocked client, or one key
/// deleted by expiry outside any command. A unit that propagated more than one command is wrapped in
/// MULTI ... EXEC, as Redis does, so a replica or an AOF reader applies it atomically; nothing of a transaction
/// reaches a sink before its EXEC has finished.</para>
/// <para><b>A command's own entry.</b> After a command ran, its arguments as received are propagated when it changed
/// the dataset (the dirty counter moved) or asked for it (<see cref="ForceCommand"/>), unless it suppressed itself
/// (<see cref="SuppressCommand"/>) or replaced its form (<see cref="RewriteCommand"/>). Entries added while it ran
/// (<see cref="Also"/>: a lazily expired key's DEL, SPOP's SREMs) come before it, in the order they were added.</para>
/// <para><b>Databases.</b> Each sink has its own selected database: a SELECT is sent to it before an entry of another
/// database than its previous one (a new sink starts with none selected, so its first entry is preceded by SELECT).
/// A MULTI takes the database of the unit's first entry and EXEC that of its last, so no SELECT falls just
/// before either.</para>
/// <para><b>Cost.</b> With no sink, callers test <see cref="Active"/> (one field) and build nothing. With sinks, entries
/// are built into two reused buffers; nothing is allocated per command. Everything here runs under the keyspace
/// lock, including <see cref="AddSink"/> and <see cref="RemoveSink"/>, which keeps the stream's position exact.</para>
/// </summary>
internal sealed class PropagationStream
{
    private static readonly byte[] MultiCommand = "*1\r\n$5\r\nMULTI\r\n"u8.ToArray();
    private static readonly byte[] ExecCommand = "*1\r\n$4\r\nEXEC\r\n"u8.ToArray();

    /// <summary>The entries of the unit in progress, back to back; <see cref="_entries"/> says where each starts.</summary>
    private readonly RespCommandBuilder _unit = new(1024);

    /// <summary>The running command's replacement form (a stack: a command run by EXEC builds after EXEC's part).</summary>
    private readonly RespCommandBuilder _rewrite = new();

    private SinkState[] _sinks = [];
    private bool _active;
    private Entry[] _entries = new Entry[16];
    private int _entryCount;
    private int _depth;
    private int _rewriteStart;
    private CommandMode _mode;
    private byte[]?[] _selects = new byte[]?[16];

    [Flags]
    internal enum CommandMode : byte
    {
        None = 0,
        Rewritten = 1,
        Suppressed = 2,
        Forced = 4,
    }

    /// <summary>Whether any sink is registered: the one check callers make before building anything.</summary>
    public bool Active => _active;

    /// <summary>Registered sinks, for diagnostics.</summary>
    public int SinkCount => _sinks.Length;

    /// <summary>Starts delivering to <paramref name="sink"/> from the next unit on (its first entry gets a SELECT). Under the keyspace lock.</summary>
    public void AddSink(IPropagationSink sink)
    {
        foreach (SinkState s in _sinks)
        {
            if (ReferenceEquals(s.Sink, sink))
            {
                return;
            }
        }
        _sinks = [.. _sinks, new SinkState(sink)];
        _active = true;
    }

    /// <summary>Stops delivering to <paramref name="sink"/>; false if it was not registered. Under the keyspace lock.</summary>
    public bool RemoveSink(IPropagationSink sink)
    {
        int i = Array.FindIndex(_sinks, s => ReferenceEquals(s.Sink, sink));
        if (i < 0)
        {
            return false;
        }
        _sinks = [.. _sinks.AsSpan(0, i), .. _sinks.AsSpan(i + 1)];
        _active = _sinks.Length > 0;
        return true;
    }

    /// <summary>
    /// Makes the sink's next entry start with a SELECT, whatever it had selected: for a sink that starts a new file
    /// (an AOF rewrite opens a new incr file, which must not rely on the previous file's SELECT).
    /// </summary>
    public void ForgetSelectedDatabase(IPropagationSink sink)
    {
        foreach (SinkState s in _sinks)
        {
            if (ReferenceEquals(s.Sink, sink))
            {
                s.SelectedDb = -1;
            }
        }
    }

    /// <summary>Opens an execution unit that is not a command (serving a blocked client); pair with <see cref="Exit"/>.</summary>
    public void Enter() => _depth++;

    /// <summary>Closes a unit opened by <see cref="Enter"/>; the outermost delivers what it collected.</summary>
    public void Exit()
    {
        Debug.Assert(_depth > 0);
        if (--_depth == 0)
        {
            Deliver();
        }
    }

    /// <summary>Called by the executor before a command's handler runs (only when <see cref="Active"/>).</summary>
    public CommandScope BeginCommand()
    {
        var scope = new CommandScope(_rewriteStart, _mode);
        _rewriteStart = _rewrite.Length;
        _mode = CommandMode.None;
        _depth++;
        return scope;
    }

    /// <summary>
    /// Called by the executor after the handler ran: adds the command's own entry (its replacement form, or
    /// <paramref name="args"/> as received) when it changed the dataset or forced it, then restores the enclosing
    /// command's state (EXEC's) and delivers the unit if this was the outermost.
    /// </summary>
    public void EndCommand(CommandScope scope, int dbIndex, ArgList args, bool changedDataset)
    {
        try
        {
            if ((_mode & CommandMode.Suppressed) == 0 && (changedDataset || (_mode & CommandMode.Forced) != 0))
            {
                if ((_mode & CommandMode.Rewritten) != 0)
                {
                    Debug.Assert(_rewrite.Pending == 0, "incomplete rewrite");
                    StartEntry(dbIndex);
                    int length = _rewrite.Length - _rewriteStart;
                    _unit.AppendRaw(_rewrite.Slice(_rewriteStart, length));
                }
                else
                {
                    StartEntry(dbIndex);
                    _unit.Command(args);
                }
            }
        }
        finally
        {
            _rewrite.Truncate(_rewriteStart);
            _rewriteStart = scope.RewriteStart;
            _mode = scope.Mode;
            Exit();
        }
    }

    /// <summary>
    /// Replaces the running command's propagated form with the command built on the returned builder
    /// (<paramref name="argc"/> arguments, name included). Used only if the command changes the dataset.
    /// A second call replaces the first.
    /// </summary>
    public RespCommandBuilder RewriteCommand(int argc)
    {
        Debug.Assert(_depth > 0, "no command is running");
        _rewrite.Truncate(_rewriteStart);
        _mode |= CommandMode.Rewritten;
        return _rewrite.Begin(argc);
    }

    /// <summary>The running command propagates nothing of its own (entries added with <see cref="Also"/> still go).</summary>
    public void SuppressCommand() => _mode |= CommandMode.Suppressed;

    /// <summary>The running command propagates even if it changed nothing (FLUSHALL on an empty server, as Redis).</summary>
    public void ForceCommand() => _mode |= CommandMode.Forced;

    /// <summary>
    /// Adds an entry for database <paramref name="dbIndex"/> to the unit in progress, built on the returned builder
    /// (<paramref name="argc"/> arguments, name included). It precedes the running command's own entry.
    /// </summary>
    public RespCommandBuilder Also(int dbIndex, int argc)
    {
        Debug.Assert(_depth > 0, "an entry outside any unit would wait for the next one");
        StartEntry(dbIndex);
        return _unit.Begin(argc);
    }

    /// <summary>
    /// A key removed by the server itself (expired on access or by the active cycle; later, evicted): propagated as
    /// DEL, or UNLINK when <paramref name="unlink"/> (lazyfree-lazy-expire), as Redis. Outside any command it is a
    /// unit of its own and is delivered at once.
    /// </summary>
    public void KeyDeleted(int dbIndex, ReadOnlySpan<byte> key, bool unlink)
    {
        StartEntry(dbIndex);
        _unit.Begin(2).Arg(unlink ? "UNLINK"u8 : "DEL"u8).Arg(key);
        if (_depth == 0)
        {
            Deliver();
        }
    }

    private void StartEntry(int dbIndex)
    {
        Debug.Assert(_unit.Pending == 0, "the previous entry is incomplete");
        if (_entryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        _entries[_entryCount++] = new Entry(dbIndex, _unit.Length);
    }

    /// <summary>Hands the unit's entries to every sink (wrapped in MULTI/EXEC when more than one) and empties it.</summary>
    private void Deliver()
    {
        if (_entryCount == 0)
        {
            return;
        }
        try
        {
            Debug.Assert(_unit.Pending == 0, "an entry is incomplete");
            bool transaction = _entryCount > 1;
            foreach (SinkState s in _sinks)
            {
                if (transaction)
                {
                    Select(s, _entries[0].Db);
                    s.Sink.Append(MultiCommand);
                }
                for (int i = 0; i < _entryCount; i++)
                {
                    int start = _entries[i].Start;
                    int end = i + 1 < _entryCount ? _entries[i + 1].Start : _unit.Length;
                    Select(s, _entries[i].Db);
                    s.Sink.Append(_unit.Slice(start, end - start));
                }
                if (transaction)
                {
                    s.Sink.Append(ExecCommand);
                }
            }
        }
        finally
        {
            _entryCount = 0;
            _unit.Clear();
        }
    }

    private void Select(SinkState s, int db)
    {
        if (s.SelectedDb != db)
        {
            s.Sink.Append(SelectCommand(db));
            s.SelectedDb = db;
        }
    }

    /// <summary>"SELECT n" in RESP, built once per database number.</summary>
    private byte[] SelectCommand(int db)
    {
        if (db >= _selects.Length)
        {
            Array.Resize(ref _selects, Math.Max(db + 1, _selects.Length * 2));
        }
        if (_selects[db] is { } cached)
        {
            return cached;
        }
        var b = new RespCommandBuilder(32);
        b.Begin(2).Arg("SELECT"u8).Arg(db);
        return _selects[db] = b.Written.ToArray();
    }

    /// <summary>What a running command had set up, restored when a command it ran (EXEC's queue) ends.</summary>
    internal readonly struct CommandScope
    {
        internal CommandScope(int rewriteStart, CommandMode mode)
        {
            RewriteStart = rewriteStart;
            Mode = mode;
        }

        internal int RewriteStart { get; }
        internal CommandMode Mode { get; }
    }

    private readonly record struct Entry(int Db, int Start);

    private sealed class SinkState(IPropagationSink sink)
    {
        public IPropagationSink Sink { get; } = sink;
        public int SelectedDb { get; set; } = -1;
    }
}
