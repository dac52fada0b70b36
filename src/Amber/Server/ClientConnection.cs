using System.Buffers;
using System.Net.Sockets;
using Amber.Hosting;
using Amber.Protocol;

namespace Amber.Server;

/// <summary>
/// Moves bytes between one socket and its session: receive into a growable pooled buffer, run every complete
/// request in it under one keyspace lock acquisition (pipelining), then send the batch's replies in one write.
/// </summary>
internal sealed class ClientConnection
{
    private const int InitialBufferSize = 16 * 1024;
    // Bytes a client may feed in receives that complete at once before it lets the others go first (see RunAsync).
    private const int MaxBytesInARow = 64 * 1024;

    private readonly ClientTransport _transport;
    private readonly AmberServer _server;
    private readonly ClientSession _session;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly RespWriter _pushOut = new(1024);
    private readonly TaskCompletionSource _closedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<int>? _pendingReceive;
    private int _pushScheduled;

    // Bytes from receives that completed at once, in a row (see the yield in RunAsync).
    private int _bytesInARow;

    // Set while a batch runs and its reply is unsent: pushes (MONITOR lines, messages) wait behind the reply.
    private int _replyPending;
    private int _closed;

    // The batch's reply waits for the end of the event thread's turn (ReplyBatching); RunAsync does the wait.
    private readonly ReplyBatching.TurnWaiter _turnWaiter = new();
    private bool _replyWaitsForTurnEnd;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _parsePos;
    private int _end;

    public ClientConnection(Socket socket, ClientTransport transport, AmberServer server, ClientSession session)
    {
        _transport = transport;
        _server = server;
        _session = session;
        session.CloseAction = Close;
        session.PushSignal = SchedulePushFlush;
        session.Socket = socket;
    }

    public ClientSession Session => _session;

    public async Task RunAsync()
    {
        try
        {
            while (Volatile.Read(ref _closed) == 0)
            {
                int n;
                bool immediate = false;
                if (_pendingReceive != null)
                {
                    // A receive started while the client was blocked is still running into the buffer's free space.
                    n = await _pendingReceive.ConfigureAwait(false);
                    _pendingReceive = null;
                }
                else
                {
                    if (!EnsureReceiveSpace())
                    {
                        break;
                    }
                    ValueTask<int> receive = _transport.ReceiveAsync(_buffer.AsMemory(_end));
                    immediate = receive.IsCompleted;
                    n = await receive.ConfigureAwait(false);
                }
                if (n == 0)
                {
                    break;
                }
                _end += n;
                _bytesInARow = immediate ? _bytesInARow + n : 0;
                Interlocked.Add(ref _server.Stats.NetInputBytes, n);
                Interlocked.Increment(ref _server.Stats.TotalReadsProcessed);
                if (_end - _start > _server.Config.ClientQueryBufferLimit)
                {
                    _server.Log.Warning($"Closing client that reached max query buffer length: id={_session.Id} addr={_session.AddressText} qbuf={_end - _start}");
                    break;
                }

                if (!await ProcessBufferAsync().ConfigureAwait(false))
                {
                    break;
                }
                if (_replyWaitsForTurnEnd)
                {
                    _replyWaitsForTurnEnd = false;
                    await ReplyBatching.Shared.WaitForTurnEnd(_turnWaiter).ConfigureAwait(false);
                    await SendReplyAsync().ConfigureAwait(false);
                }
                if (_start == _end && _pendingReceive == null)
                {
                    _start = _parsePos = _end = 0;
                    ShrinkIdleBuffer();
                    _session.QueryBufferFree = _buffer.Length;
                }
                if (_bytesInARow >= MaxBytesInARow)
                {
                    // A client whose data is always there (a --pipe load) would otherwise keep the event thread to
                    // itself; as Redis serves one read per client per turn, let the others go first: continue on the
                    // thread pool (back on the event thread once a receive has to wait). Counted in bytes, not
                    // receives: a request-reply client (one small request per receive) often finds its next request
                    // already there, and sending it to the pool would wake pool threads that compete with the event
                    // thread for the CPU.
                    _bytesInARow = 0;
                    if (!Thread.CurrentThread.IsThreadPoolThread)
                    {
                        await Task.Yield();
                    }
                }
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Close();
            if (_session.Blocked is { } blocked)
            {
                _server.Blocking.Abandon(blocked);
                _session.Blocked = null;
            }
            if (_pendingReceive != null)
            {
                // The socket is closed, so this ends now; the buffer must not go back to the pool before.
                await _pendingReceive.ConfigureAwait(false);
            }
            _server.PubSub.RemoveClient(_session);
            if (_session.Transaction != null)
            {
                // A disconnected client stops watching (its transaction state is only touched under the lock).
                lock (_server.KeyspaceLock)
                {
                    _server.Watches.UnwatchAll(_session);
                }
            }
            _server.Clients.Remove(_session);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>
    /// Runs every complete request received so far and sends the replies. While CLIENT PAUSE holds this client,
    /// waits (without a thread, outside the keyspace lock) for the pause to end, then goes on with the held request.
    /// When a request blocks (BLPOP ...), waits for its reply (see <see cref="BlockingRegistry"/>), then goes on
    /// with the requests after it.
    /// Returns false when the connection must close.
    /// </summary>
    private async ValueTask<bool> ProcessBufferAsync()
    {
        while (true)
        {
            _session.QueryBufferLength = _end - _start;
            _session.QueryBufferFree = _buffer.Length - _end;
            Volatile.Write(ref _replyPending, 1);
            bool keepGoing = _server.Executor.RunBatch(_session, _buffer, ref _parsePos, _end, ref _start);
            _session.QueryBufferLength = _end - _start;
            if (_session.AofWaitWriter != null)
            {
                // Released by an fsync round, together with the round's other replies: no turn to wait for.
                if (!await WaitAofDurableAsync().ConfigureAwait(false))
                {
                    return false;
                }
            }
            else if (keepGoing && !_session.CloseAfterReply && _session.Blocked == null && !_session.PausePending &&
                _session.Reply.Length > 0 && ReplyBatching.Shared.ShouldWait(this))
            {
                // RunAsync waits for the end of the turn and sends: a wait here would suspend this method once per
                // batch, and each suspension of a ValueTask-returning method allocates its state machine (~150 bytes
                // a request), where RunAsync's lives as long as the connection.
                _replyWaitsForTurnEnd = true;
                return true;
            }
            // Always: it also releases pushes held behind this batch's reply (even when the reply is empty).
            await SendReplyAsync().ConfigureAwait(false);
            if (!keepGoing || _session.CloseAfterReply)
            {
                return false;
            }
            if (_session.Blocked != null)
            {
                if (!await WaitWhileBlockedAsync(_session.Blocked).ConfigureAwait(false))
                {
                    return false;
                }
                continue;
            }
            if (!_session.PausePending)
            {
                return true;
            }
            await Task.WhenAny(_server.Pause.WaitAsync(), _closedSignal.Task).ConfigureAwait(false);
            _session.PausePending = false;
            if (Volatile.Read(ref _closed) != 0)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Waits, holding no lock and no thread, until the blocked command is served, times out, is unblocked, or the
    /// client goes away (noticed by keeping a receive running; bytes that arrive are kept for after the wait).
    /// Returns false when the client disconnected.
    /// </summary>
    private async ValueTask<bool> WaitWhileBlockedAsync(BlockedClient blocked)
    {
        using var timerCancel = new CancellationTokenSource();
        Task? timer = null;
        bool alive = true;
        while (!blocked.Completion.Task.IsCompleted)
        {
            if (timer == null && blocked.DeadlineMs > 0)
            {
                long remaining = blocked.DeadlineMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (remaining <= 0)
                {
                    _server.Blocking.TimeOut(blocked);
                    continue;
                }
                timer = Task.Delay(TimeSpan.FromMilliseconds(Math.Min(remaining, int.MaxValue - 1)), timerCancel.Token);
            }
            if (_pendingReceive == null)
            {
                if (!EnsureReceiveSpace())
                {
                    alive = false;
                    break;
                }
                _pendingReceive = ReceiveOrZeroAsync();
            }
            Task first = timer == null
                ? await Task.WhenAny(blocked.Completion.Task, _pendingReceive, _closedSignal.Task).ConfigureAwait(false)
                : await Task.WhenAny(blocked.Completion.Task, _pendingReceive, _closedSignal.Task, timer).ConfigureAwait(false);
            if (first == timer)
            {
                // Re-armed above when the deadline is further than one timer can wait.
                timer = null;
            }
            else if (first == _pendingReceive)
            {
                int n = _pendingReceive.Result;
                _pendingReceive = null;
                if (n == 0)
                {
                    alive = false;
                    break;
                }
                _end += n;
                Interlocked.Add(ref _server.Stats.NetInputBytes, n);
                if (_end - _start > _server.Config.ClientQueryBufferLimit)
                {
                    _server.Log.Warning($"Closing client that reached max query buffer length: id={_session.Id} addr={_session.AddressText} qbuf={_end - _start}");
                    alive = false;
                    break;
                }
            }
            else if (first == _closedSignal.Task)
            {
                alive = false;
                break;
            }
        }
        await timerCancel.CancelAsync().ConfigureAwait(false);
        if (!alive)
        {
            _server.Blocking.Abandon(blocked);
        }
        // Once Blocked clears, pushes no longer see the served reply as pending (ClientSession.PushTarget); mark it
        // pending here first, or a push flushed in between could overtake the reply it must follow.
        Volatile.Write(ref _replyPending, 1);
        if (blocked.Completion.Task.IsCompleted && blocked.Reply.Length > 0 && _session.ReplyMode != ReplyMode.Off)
        {
            _session.Reply.WriteRaw(blocked.Reply.WrittenSpan);
        }
        blocked.Reply.Dispose();
        _session.Blocked = null;
        if (alive && blocked.Completion.Task.IsCompleted && _server.Aof.Writer is { } aof &&
            _server.Config.AppendFsync == Config.AppendFsyncMode.Always)
        {
            // The write that served this client (its pop) was appended by another client's batch: wait for it too.
            _session.AofWaitWriter = aof;
            _session.AofWaitLsn = aof.AppendedLsn;
        }
        return alive;
    }

    /// <summary>
    /// appendfsync always: holds the batch's replies until its last AOF byte is fsynced (no thread, no lock held).
    /// If that write or fsync failed, nothing is acknowledged: the replies are dropped and the connection closes
    /// (Redis exits the whole server in that case; Amber keeps serving the others and refuses writes with MISCONF).
    /// </summary>
    private async ValueTask<bool> WaitAofDurableAsync()
    {
        Persistence.Aof.AofWriter writer = _session.AofWaitWriter!;
        long lsn = _session.AofWaitLsn;
        _session.AofWaitWriter = null;
        if (await writer.WaitDurableAsync(lsn).ConfigureAwait(false))
        {
            return true;
        }
        _server.Log.Warning($"Closing client whose writes could not be made durable in the AOF: id={_session.Id} addr={_session.AddressText}");
        _session.Reply.Reset();
        return false;
    }

    private async Task<int> ReceiveOrZeroAsync()
    {
        try
        {
            return await _transport.ReceiveAsync(_buffer.AsMemory(_end)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>Makes room to receive: compacts the unconsumed request to the front, or grows for a big one.</summary>
    private bool EnsureReceiveSpace()
    {
        // Room for the rest of a big bulk being read, but never much past the query buffer limit: as Redis, the
        // client is closed when the data it actually sent exceeds the limit, not when it merely announces a big bulk.
        long needed = _end - _start + Math.Max(1024, _session.Parser.PendingBulkBytes - (_end - _parsePos));
        needed = Math.Min(needed, _server.Config.ClientQueryBufferLimit + 1024);
        if (_buffer.Length - _end >= 1024 && _buffer.Length >= needed)
        {
            return true;
        }
        byte[] target = _buffer;
        if (needed > _buffer.Length || _start == 0)
        {
            long size = Math.Max(needed, (long)_buffer.Length * 2);
            target = ArrayPool<byte>.Shared.Rent((int)Math.Min(size, Array.MaxLength));
        }
        int length = _end - _start;
        Buffer.BlockCopy(_buffer, _start, target, 0, length);
        _session.Args.Rebase(_buffer, target, -_start);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }
        _parsePos -= _start;
        _end = length;
        _start = 0;
        return true;
    }

    private void ShrinkIdleBuffer()
    {
        if (_buffer.Length > InitialBufferSize * 4)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        }
        _session.Reply.ShrinkIfLarge();
    }

    private async Task SendReplyAsync()
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_session.Reply.Length > 0)
            {
                await SendAllAsync(_session.Reply.WrittenMemory).ConfigureAwait(false);
                _session.Reply.Reset();
            }
            Volatile.Write(ref _replyPending, 0);
            // Pushes (pub/sub messages) made after this batch ran were held back so they follow its replies.
            _session.ReplySent();
            while (_session.TakePushes(_pushOut))
            {
                await SendAllAsync(_pushOut.WrittenMemory).ConfigureAwait(false);
                _pushOut.Reset();
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendAllAsync(ReadOnlyMemory<byte> data)
    {
        Interlocked.Add(ref _server.Stats.NetOutputBytes, data.Length);
        Interlocked.Increment(ref _server.Stats.TotalWritesProcessed);
        while (data.Length > 0)
        {
            int sent = await _transport.SendAsync(data).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private void SchedulePushFlush()
    {
        if (Interlocked.Exchange(ref _pushScheduled, 1) == 0)
        {
            // On the thread pool: the pusher usually holds the keyspace lock (PUBLISH to many subscribers), and
            // pushes made meanwhile coalesce into one send.
            ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.FlushPushesAsync(), this, preferLocal: false);
        }
    }

    private async Task FlushPushesAsync()
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _pushScheduled, 0);
            if (Volatile.Read(ref _replyPending) != 0)
            {
                return; // the reader sends them right after its reply
            }
            while (_session.TakePushes(_pushOut))
            {
                await SendAllAsync(_pushOut.WrittenMemory).ConfigureAwait(false);
                _pushOut.Reset();
            }
            _pushOut.ShrinkIfLarge();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close();
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _closedSignal.TrySetResult();
        _transport.Close();
    }
}
