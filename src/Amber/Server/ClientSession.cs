using System.Net;
using Amber.Commands;
using Amber.Protocol;

namespace Amber.Server;

internal enum ReplyMode
{
    On,
    Off,
    Skip,
}

/// <summary>A client's state as the commands see it: database, protocol, name, flags, statistics.</summary>
internal sealed class ClientSession
{
    private readonly object _pushGate = new();
    private RespWriter? _pushes;

    public ClientSession(long id, AmberServer server, EndPoint? remote, EndPoint? local)
    {
        Id = id;
        Server = server;
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        CreatedMs = Environment.TickCount64;
        LastInteractionMs = CreatedMs;
        Args = new ArgList();
        Reply = new RespWriter();
        Context = new CommandContext(server, this, Args, Reply);
    }

    public long Id { get; }
    public AmberServer Server { get; }
    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint { get; }
    public long CreatedMs { get; }
    public long LastInteractionMs { get; set; }
    public string? Name { get; set; }
    public string? LibName { get; set; }
    public string? LibVersion { get; set; }
    public int DbIndex { get; set; }
    public bool Authenticated { get; set; }
    public string LastCommand { get; set; } = "NULL";
    public ReplyMode ReplyMode { get; set; } = ReplyMode.On;
    public bool NoEvict { get; set; }
    public bool IsMonitor { get; set; }
    public bool CloseAfterReply { get; set; }

    /// <summary>The current command's reply is discarded (the command after CLIENT REPLY SKIP).</summary>
    internal bool SkipCurrentReply { get; set; }

    /// <summary>Held by CLIENT PAUSE: the next request waits in the buffer until the pause ends (flag 'b').</summary>
    public bool PausePending { get; set; }

    /// <summary>Blocked in a blocking command (flag 'b'; exempt from the idle timeout).</summary>
    public bool IsBlocked => Blocked != null;

    /// <summary>For CLIENT LIST sub/psub/ssub/multi; kept by pub/sub and MULTI (-1 when not in MULTI).</summary>
    public int Subscriptions { get; set; }
    public int PatternSubscriptions { get; set; }
    public int ShardSubscriptions { get; set; }
    public int MultiQueued { get; set; } = -1;
    public bool IsPubSub => Subscriptions + PatternSubscriptions + ShardSubscriptions > 0;

    /// <summary>The connection's socket (CLIENT LIST fd, socket options); null for internal clients.</summary>
    internal System.Net.Sockets.Socket? Socket { get; set; }

    /// <summary>The blocking command this client waits in (BLPOP ...), until the connection has taken its reply.</summary>
    internal BlockedClient? Blocked { get; set; }

    /// <summary>
    /// appendfsync always: the AOF writer and LSN the last batch's replies wait for before they are sent (group
    /// commit); null when the batch appended nothing or the policy does not wait.
    /// </summary>
    internal Persistence.Aof.AofWriter? AofWaitWriter { get; set; }
    internal long AofWaitLsn { get; set; }

    /// <summary>MULTI queue and WATCHed keys; null until the client first uses MULTI or WATCH.</summary>
    internal TransactionState? Transaction { get; set; }

    /// <summary>Set while EXEC (or a script) runs commands: blocking commands then reply as if timed out.</summary>
    public bool DenyBlocking { get; set; }

    public int Protocol
    {
        get => Reply.Protocol;
        set => Reply.Protocol = value;
    }

    internal ArgList Args { get; }
    internal RespWriter Reply { get; }
    internal CommandContext Context { get; }
    internal RequestParser Parser { get; } = new();

    /// <summary>Current query buffer size and free space, for CLIENT LIST's qbuf/qbuf-free.</summary>
    public int QueryBufferLength { get; set; }
    public int QueryBufferFree { get; set; }

    /// <summary>Set by the connection: closes the socket (CLIENT KILL, timeout, SHUTDOWN).</summary>
    internal Action? CloseAction { get; set; }

    /// <summary>Set by the connection: sends queued push data now.</summary>
    internal Action? PushSignal { get; set; }

    public void Close() => CloseAction?.Invoke();

    /// <summary>
    /// Queues out-of-band data for this client (MONITOR lines, pub/sub messages) from any thread, written in the
    /// client's current protocol. Pushes keep Redis's output-buffer order with replies (docs/pubsub.md):
    /// a push made while this client's own command runs goes into its reply stream (before the reply when the
    /// command has written nothing yet, else right after the command's reply, never inside it); a push made while
    /// this client's batch replies are unsent waits for them. Delivered even under CLIENT REPLY OFF, as Redis 7.0.
    /// </summary>
    public void Push(Action<RespWriter> write)
    {
        lock (_pushGate)
        {
            RespWriter target = PushTarget();
            write(target);
            PushWritten(target);
        }
        PushSignal?.Invoke();
    }

    /// <summary>
    /// Pushes a frame rendered once for many clients: <paramref name="resp2Array"/> is a RESP2 array ("*3\r\n...");
    /// RESP3 clients get the same frame as a push type ('>').
    /// </summary>
    internal void PushArrayFrame(ReadOnlySpan<byte> resp2Array)
    {
        lock (_pushGate)
        {
            RespWriter target = PushTarget();
            target.WriteRaw(target.IsResp3 ? ">"u8 : "*"u8);
            target.WriteRaw(resp2Array[1..]);
            PushWritten(target);
        }
        PushSignal?.Invoke();
    }

    /// <summary>Where a push goes now; caller holds _pushGate.</summary>
    private RespWriter PushTarget()
    {
        int protocol = Protocol;
        if (Blocked is { } blocked && blocked.Completion.Task.IsCompleted)
        {
            // Served (BLPOP ...) but its reply is not sent yet: Redis wrote that reply first, so this push follows it.
            _holdPushes = true;
        }
        if (_commandDepth > 0 && Monitor.IsEntered(Server.KeyspaceLock))
        {
            // Our own command is running (only its thread can hold the keyspace lock now).
            if (Reply.Length == _commandReplyStart && !SkipCurrentReply && ReplyMode != ReplyMode.Off)
            {
                return Reply;
            }
        }
        _pushes ??= new RespWriter(1024);
        _pushes.Protocol = protocol;
        return _pushes;
    }

    /// <summary>A push written into the reply stream is a frame boundary: a next push may follow it directly.</summary>
    private void PushWritten(RespWriter target)
    {
        if (ReferenceEquals(target, Reply))
        {
            _commandReplyStart = Reply.Length;
        }
        else if (_pushLimit.CheckPushBacklog(this, target.Length))
        {
            _pushes?.Reset();
        }
    }

    private readonly PubSub.PushBacklogLimit _pushLimit = new();

    /// <summary>Hands the queued push data to the connection's sender (which copies it out); none while replies wait.</summary>
    internal bool TakePushes(RespWriter into)
    {
        lock (_pushGate)
        {
            if (_holdPushes || _pushes == null || _pushes.Length == 0)
            {
                return false;
            }
            into.WriteRaw(_pushes.WrittenSpan);
            _pushes.Reset();
            _pushes.ShrinkIfLarge();
            return true;
        }
    }

    private bool _holdPushes;
    private int _commandDepth;
    private int _commandReplyStart;

    /// <summary>Under the keyspace lock, before this client's batch: pushes queued before it go out before its replies.</summary>
    internal void BeginBatchPushes()
    {
        lock (_pushGate)
        {
            MoveQueuedPushesToReply();
            _holdPushes = true;
        }
    }

    /// <summary>Under the keyspace lock, after the batch: pushes from now on wait until the batch's replies are sent.</summary>
    internal void EndBatchPushes()
    {
        bool signal;
        lock (_pushGate)
        {
            _holdPushes = Reply.Length > 0;
            signal = !_holdPushes && _pushes != null && _pushes.Length > 0;
        }
        if (signal)
        {
            PushSignal?.Invoke();
        }
    }

    /// <summary>The connection sent the batch's replies: queued pushes may follow (the caller then takes them).</summary>
    internal void ReplySent()
    {
        lock (_pushGate)
        {
            _holdPushes = false;
        }
    }

    /// <summary>A command (top level or nested) starts; <paramref name="replyStart"/> is where its reply begins.</summary>
    internal void BeginCommandPushes(int replyStart)
    {
        if (_commandDepth++ == 0)
        {
            _commandReplyStart = replyStart;
        }
    }

    /// <summary>The command ended (after CLIENT REPLY OFF/SKIP truncation): pushes it held follow its reply.</summary>
    internal void EndCommandPushes()
    {
        if (_commandDepth == 0 || --_commandDepth > 0)
        {
            return;
        }
        lock (_pushGate)
        {
            MoveQueuedPushesToReply();
        }
    }

    private void MoveQueuedPushesToReply()
    {
        if (_pushes != null && _pushes.Length > 0)
        {
            Reply.WriteRaw(_pushes.WrittenSpan);
            _pushes.Reset();
        }
    }

    /// <summary>This client's channels, patterns and shard channels (null until it first subscribes).</summary>
    internal PubSub.ClientSubscriptions? PubSubState { get; set; }

    public string AddressText => FormatEndPoint(RemoteEndPoint);

    public string LocalAddressText => FormatEndPoint(LocalEndPoint);

    /// <summary>"ip:port", or "[ip]:port" for IPv6, as Redis's anetFormatAddr.</summary>
    private static string FormatEndPoint(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        null => "",
        var other => other.ToString() ?? "",
    };
}
