using System.Buffers;
using System.Globalization;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Persistence.Storage;
using Amber.Propagation;

namespace Amber.Persistence.Aof;

/// <summary>
/// The AOF's write path (DESIGN §5): a propagation sink that copies each command into a buffer under the keyspace
/// lock, and a dedicated flusher thread that writes buffers to the current incr file.
/// <para>
/// Positions are log sequence numbers (LSN): bytes appended since this writer opened. appendfsync <c>always</c> is a
/// group commit: the flusher writes everything buffered, fsyncs once, and releases every reply waiting for an LSN at
/// or below it (<see cref="WaitDurableAsync"/>). <c>everysec</c> fsyncs once a second on a background task, never on
/// the command path; while that fsync runs, writes wait up to 2 s and then go ahead (counted in aof_delayed_fsync), as
/// Redis does. <c>no</c> only writes.
/// </para>
/// <para>
/// A failed write or fsync sets <see cref="LastWriteOk"/> false (write commands then get MISCONF), keeps the unwritten
/// bytes and retries every 100 ms; under <c>always</c> the replies waiting on the failed batch are told "not durable"
/// (the connection closes without acknowledging) instead of Redis's exit.
/// </para>
/// <para>
/// no-appendfsync-on-rewrite yes: while a rewrite or a BGSAVE runs, no fsync is done under any policy (Redis skips
/// it while it has a child). Under <c>always</c> the write still happens and the waiting replies are released once
/// written, as Redis answers them after its write; the skipped fsync is made up once the background job is over.
/// </para>
/// </summary>
internal sealed class AofWriter : IPropagationSink, IDisposable
{
    private const int RetryIntervalMs = 100;
    // no/everysec: how often the flusher writes what was appended. Each round costs a thread wake-up and a write(2)
    // (~20 µs of CPU, most of it fixed): every 1 ms that was 0.3-0.4 µs of CPU per SET at 100k SET/s, on a machine
    // whose cores the server shares with its clients. A process crash loses at most this long (a machine crash loses
    // up to the fsync interval anyway); Redis writes once per event-loop iteration, which costs it no thread wake-up.
    private const int LazyFlushIntervalMs = 10;
    private const int LazyFlushBytes = 64 * 1024;
    private const int WriteErrorLogIntervalMs = 30_000;
    private const int MaxFsyncPostponeMs = 2000;
    private const int MaxGroupHoldMicros = 300;
    // The hold spins this long before it sleeps: sleeping at once made groups 10-15% smaller (more fsyncs per SET).
    private const int HoldSpinMicros = 30;

    private readonly IFileSystem _fs;
    private readonly ServerConfig _config;
    private readonly ServerLog _log;
    private readonly object _gate = new();
    private readonly FlusherSignal _wake = new();
    private readonly Thread _flusher;
    private readonly string _path;
    private IWritableFile? _file;

    // Guarded by _gate.
    private byte[] _pending = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _pendingLength;
    private long _appendedLsn;
    private long _durableLsn;
    private long _releasedLsn;
    private long _failedLsn;
    private readonly List<DurabilityWaiter> _waiters = [];
    // Group-commit hold (see HoldForReleasedClients): waiters registered now, and how many to hold for (_cohorts).
    private int _waiterCount;
    private int _holdTarget;
    private readonly GroupCommitCohorts _cohorts = new();
    private long[] _cutScratch = new long[64];
    private readonly Stack<DurabilityWaiter> _spareWaiters = new();
    private long _lastTimestamp;
    private bool _closed;
    private bool _stopRequested;
    private bool _flusherDone;
    private bool _fsyncFailed;
    private long _delayedFsyncs;
    private long _writes;
    private long _fsyncs;
    private long _appendedCommands;

    // Owned by the flusher thread.
    private byte[] _inflight = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _inflightLength;
    private long _inflightEndLsn;
    private long _writtenLsn;
    private long _fileLength;
    private long _lastFsyncTicks = Environment.TickCount64;
    private long _lastFsyncDuration;
    private long _postponedSinceTicks;
    private Task? _backgroundFsync;
    private long _lastWriteErrorLogTicks;

    /// <param name="file">The incr file to append to, positioned at its end. The propagation stream starts a new sink
    /// with a SELECT, so the file never depends on an earlier file's database.</param>
    public AofWriter(IFileSystem fs, IWritableFile file, ServerConfig config, ServerLog log)
    {
        _fs = fs;
        _file = file;
        _config = config;
        _log = log;
        _fileLength = file.Length;
        _path = file.Path;
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "amber-aof-flush" };
        _flusher.Start();
    }

    public string FilePath => _path;

    /// <summary>Bytes of the current incr file, including what has been written through this writer.</summary>
    public long FileLength => Interlocked.Read(ref _fileLength);

    /// <summary>LSN of the end of the last appended command. Read under the keyspace lock for a stable value.</summary>
    public long AppendedLsn => Volatile.Read(ref _appendedLsn);

    /// <summary>LSN up to which everything is fsynced.</summary>
    public long DurableLsn => Volatile.Read(ref _durableLsn);

    /// <summary>
    /// LSN up to which waiting replies are released: <see cref="DurableLsn"/>, or further while
    /// no-appendfsync-on-rewrite skips the fsync (then only written).
    /// </summary>
    public long ReleasedLsn => Volatile.Read(ref _releasedLsn);

    /// <summary>aof_last_write_status: false after a failed write or fsync, until one succeeds again.</summary>
    public bool LastWriteOk { get; private set; } = true;

    /// <summary>strerror-style text of the last write or fsync error (for MISCONF).</summary>
    public string LastWriteError { get; private set; } = "";

    /// <summary>aof_delayed_fsync: writes that went ahead while a background fsync was still running after 2 s.</summary>
    public long DelayedFsyncs => Interlocked.Read(ref _delayedFsyncs);

    /// <summary>aof_buffer_length: appended bytes not yet written.</summary>
    public long BufferLength
    {
        get
        {
            lock (_gate)
            {
                return _pendingLength + Volatile.Read(ref _inflightLength);
            }
        }
    }

    /// <summary>aof_pending_bio_fsync.</summary>
    public bool FsyncInProgress => _backgroundFsync is { IsCompleted: false };

    /// <summary>Successful write() calls and fsyncs (tests count group commits through these).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public long Fsyncs => Interlocked.Read(ref _fsyncs);

    /// <summary>
    /// Amber's own aof_fsync_requests_per_round: commands appended per fsync since this writer opened. Under always it
    /// shows the group commit at work (how many commands, from however many clients, one fsync made durable).
    /// </summary>
    public double CommandsPerFsync
    {
        get
        {
            long fsyncs = Fsyncs;
            return fsyncs == 0 ? 0 : (double)Interlocked.Read(ref _appendedCommands) / fsyncs;
        }
    }

    /// <summary>Amber's own aof_group_commit_cohorts: 2 while fsyncs alternate between two halves of the clients, else 1.</summary>
    public int GroupCommitCohorts
    {
        get
        {
            lock (_gate)
            {
                return _cohorts.TwoCohorts ? 2 : 1;
            }
        }
    }

    /// <summary>The group commit's grouping (tests pin it).</summary>
    internal GroupCommitCohorts Cohorts => _cohorts;

    /// <summary>Copies one propagated command into the buffer. Called under the keyspace lock; cheap.</summary>
    public void Append(ReadOnlySpan<byte> respCommand)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            int before = _pendingLength;
            if (_config.AofTimestampEnabled)
            {
                long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                if (now > _lastTimestamp)
                {
                    // "#TS:<unix seconds>" before a command whenever the second changed (Redis's annotation).
                    _lastTimestamp = now;
                    AppendRaw("#TS:"u8);
                    AppendNumber(now);
                    AppendRaw("\r\n"u8);
                }
            }
            AppendRaw(respCommand);
            _appendedCommands++;
            // Under always the waiting reply wakes the flusher (WaitSlowAsync). Otherwise it runs on its own clock
            // (LazyFlushIntervalMs) and is woken once when the backlog grows past LazyFlushBytes, not for every
            // append after that: while an everysec fsync postpones the writes, the backlog stays large, and a wake-up
            // per append would cost a futex call per command and spin the flusher.
            if (_config.AppendFsync == AppendFsyncMode.Always || before >= LazyFlushBytes || _pendingLength < LazyFlushBytes)
            {
                return;
            }
        }
        _wake.Set();
    }

    /// <summary>
    /// Completes with true once everything up to <paramref name="lsn"/> is on disk, or false when the write or fsync
    /// covering it failed (or the AOF was closed without making it durable). No thread waits: continuations run when
    /// the flusher publishes progress (see <see cref="Complete"/>). Await the result once.
    /// </summary>
    public ValueTask<bool> WaitDurableAsync(long lsn)
    {
        if (Volatile.Read(ref _releasedLsn) >= lsn)
        {
            return new ValueTask<bool>(true);
        }
        return WaitSlowAsync(lsn);
    }

    private ValueTask<bool> WaitSlowAsync(long lsn)
    {
        ValueTask<bool> wait;
        bool wake;
        lock (_gate)
        {
            if (_releasedLsn >= lsn)
            {
                return new ValueTask<bool>(true);
            }
            if (_failedLsn >= lsn || (_closed && _flusherDone))
            {
                return new ValueTask<bool>(false);
            }
            DurabilityWaiter waiter = _spareWaiters.Count > 0 ? _spareWaiters.Pop() : new DurabilityWaiter(this);
            wait = waiter.Start(lsn);
            _waiters.Add(waiter);
            Volatile.Write(ref _waiterCount, _waiters.Count);
            // The first waiter starts a round; while the flusher holds for the clients it released (or is busy), only
            // the one that completes the group wakes it (a set costs a system call only when the flusher sleeps).
            wake = _waiters.Count == 1 || _waiters.Count >= _holdTarget;
        }
        // While writes are failing the flusher retries on its own clock; waking it for every waiter would spin.
        if (wake && LastWriteOk && !Volatile.Read(ref _stopRequested))
        {
            _wake.Set();
        }
        return wait;
    }

    internal void ReturnWaiter(DurabilityWaiter waiter)
    {
        lock (_gate)
        {
            if (_spareWaiters.Count < 1024)
            {
                _spareWaiters.Push(waiter);
            }
        }
    }

    /// <summary>
    /// Writes and fsyncs everything appended, then stops the flusher and closes the file (CONFIG SET appendonly no,
    /// shutdown: "Calling fsync() on the AOF file."). Returns false when the final write or fsync failed.
    /// </summary>
    public bool Close()
    {
        lock (_gate)
        {
            if (_stopRequested)
            {
                return LastWriteOk;
            }
            _stopRequested = true;
        }
        _wake.Set();
        _flusher.Join();
        _backgroundFsync?.Wait();
        bool ok = FlushPending(finalFlush: true);
        if (ok)
        {
            ok = TrySync(_writtenLsn);
        }
        List<DurabilityWaiter>? done;
        lock (_gate)
        {
            _closed = true;
            _flusherDone = true;
            done = PublishProgressLocked();
        }
        Complete(done);
        _file?.Dispose();
        return ok;
    }

    public void Dispose()
    {
        Close();
        _wake.Dispose();
        lock (_gate)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            ArrayPool<byte>.Shared.Return(_inflight);
            _pending = [];
            _inflight = [];
        }
    }

    private void FlushLoop()
    {
        while (true)
        {
            _wake.Wait((_config.AppendFsync == AppendFsyncMode.Always ? RetryIntervalMs : LazyFlushIntervalMs) * 1000L);
            lock (_gate)
            {
                if (_stopRequested)
                {
                    return;
                }
            }
            try
            {
                long cut = long.MaxValue;
                if (_config.AppendFsync == AppendFsyncMode.Always)
                {
                    HoldForReleasedClients();
                    cut = CohortEnd();
                }
                FlushPending(finalFlush: false, cut);
                FsyncIfDue();
                if (_config.AppendFsync == AppendFsyncMode.Always && LastWriteOk && HasDataToWrite())
                {
                    // Appended during this round: the next round starts now (its appenders' wake-up may have been
                    // consumed by this one).
                    _wake.Set();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.Warning($"Unexpected error in the AOF flusher: {e}");
            }
        }
    }

    /// <summary>
    /// Moves appended bytes to the in-flight buffer and writes them; under always, fsyncs the batch too (group commit).
    /// Returns false when a write or fsync failed (the bytes stay in flight for the next try).
    /// </summary>
    private bool FlushPending(bool finalFlush, long cutLsn = long.MaxValue)
    {
        AppendFsyncMode policy = _config.AppendFsync;
        if (policy == AppendFsyncMode.EverySec && !finalFlush && FsyncInProgress && HasDataToWrite())
        {
            // Redis's aof_flush_postponed_start: a write(2) during fsync(2) would block, so wait up to 2 s for it.
            long now = Environment.TickCount64;
            if (_postponedSinceTicks == 0)
            {
                _postponedSinceTicks = now;
                return true;
            }
            if (now - _postponedSinceTicks < MaxFsyncPostponeMs)
            {
                return true;
            }
            Interlocked.Increment(ref _delayedFsyncs);
            _log.Notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
        }
        _postponedSinceTicks = 0;
        bool wrote = false;
        // Group commit: one write per fsync round. What is appended while it is written and fsynced waits for the
        // next round (it is woken for it), so a reply never waits for the writes of requests that came after it.
        bool oneWrite = policy == AppendFsyncMode.Always && !finalFlush;
        while (true)
        {
            if (_inflightLength == 0)
            {
                lock (_gate)
                {
                    if (_pendingLength == 0)
                    {
                        break;
                    }
                    long pendingStart = _appendedLsn - _pendingLength;
                    if (oneWrite && cutLsn > pendingStart && cutLsn < _appendedLsn)
                    {
                        // This round covers one cohort: the bytes up to its last waiter's position; the rest, of
                        // the next cohort, stays for the next round.
                        int take = (int)(cutLsn - pendingStart);
                        if (_inflight.Length < take)
                        {
                            ArrayPool<byte>.Shared.Return(_inflight);
                            _inflight = ArrayPool<byte>.Shared.Rent(take);
                        }
                        Buffer.BlockCopy(_pending, 0, _inflight, 0, take);
                        Buffer.BlockCopy(_pending, take, _pending, 0, _pendingLength - take);
                        _pendingLength -= take;
                        Volatile.Write(ref _inflightLength, take);
                        _inflightEndLsn = cutLsn;
                    }
                    else
                    {
                        (_pending, _inflight) = (_inflight, _pending);
                        Volatile.Write(ref _inflightLength, _pendingLength);
                        _pendingLength = 0;
                        _inflightEndLsn = _appendedLsn;
                    }
                }
            }
            if (!TryWriteInflight())
            {
                if (policy == AppendFsyncMode.Always)
                {
                    FailWaiters();
                }
                return false;
            }
            wrote = true;
            if (oneWrite)
            {
                break;
            }
        }
        if (wrote && policy == AppendFsyncMode.Always && !finalFlush)
        {
            if (FsyncSuppressed)
            {
                Release(_writtenLsn);
                return true;
            }
            return TrySync(_writtenLsn);
        }
        return true;
    }

    /// <summary>
    /// Group commit under always: before the next round, waits briefly for the clients the last fsync released to
    /// send their next writes, so one fsync covers them together with those that wrote during it. Without it, busy
    /// clients drift into ever more cohorts taking turns, with ever fewer commands per fsync. With one cohort
    /// (<see cref="GroupCommitCohorts"/>) it waits until as many wait as waited at the last release, so one fsync
    /// covers all the busy clients as Redis's loop does; with two, until half of them wait (the other half's fsync
    /// ran meanwhile), and <see cref="CohortEnd"/> cuts the round there. Waits only for several clients, and at most
    /// as long as the last fsync took (capped at <see cref="MaxGroupHoldMicros"/>): a round at most doubles, to halve
    /// the rounds. A client that does not come back lowers the next target, so a lone client is never held. The flusher
    /// spins (Thread.Yield) for the first <see cref="HoldSpinMicros"/> µs, then sleeps (<see cref="FlusherSignal"/>: the
    /// registration that completes the group wakes it): spinning the whole hold, as before, switched context twice as
    /// often and took its CPU from the cores the event thread and the clients share.
    /// </summary>
    private void HoldForReleasedClients()
    {
        int target = Volatile.Read(ref _holdTarget);
        if (target < 2 || Volatile.Read(ref _waiterCount) >= target)
        {
            return;
        }
        double capMicros = Math.Min(MaxGroupHoldMicros, Volatile.Read(ref _lastFsyncDuration) / (double)System.Diagnostics.Stopwatch.Frequency * 1e6);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _waiterCount) < target && !Volatile.Read(ref _stopRequested))
        {
            double left = capMicros - System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (left <= 0)
            {
                break;
            }
            if (capMicros - left < HoldSpinMicros)
            {
                Thread.Yield();
                continue;
            }
            _wake.Wait((long)Math.Ceiling(left));
        }
    }

    /// <summary>
    /// With two cohorts (<see cref="GroupCommitCohorts"/>), where this round ends: the position of the last of the
    /// oldest half of the waiters, when more than half wait; else <see cref="long.MaxValue"/> (everything appended).
    /// A waiter's position ends the batch it waits for, so the cut never splits a command or a transaction.
    /// </summary>
    private long CohortEnd()
    {
        lock (_gate)
        {
            int limit = _cohorts.RoundLimit;
            int count = _waiters.Count;
            if (count <= limit)
            {
                return long.MaxValue;
            }
            if (_cutScratch.Length < count)
            {
                _cutScratch = new long[count * 2];
            }
            for (int i = 0; i < count; i++)
            {
                _cutScratch[i] = _waiters[i].Lsn;
            }
            Array.Sort(_cutScratch, 0, count);
            return _cutScratch[limit - 1];
        }
    }

    private bool HasDataToWrite()
    {
        lock (_gate)
        {
            return _pendingLength > 0 || _inflightLength > 0;
        }
    }

    private bool TryWriteInflight()
    {
        int length = _inflightLength;
        long before = _fileLength;
        try
        {
            // After a short write was cut off, the handle's position is past the new end of the file: reopen.
            _file ??= _fs.OpenAppend(_path);
            _file.Write(_inflight.AsSpan(0, length));
        }
        catch (IOException e)
        {
            HandleWriteError(e, before, length);
            return false;
        }
        Interlocked.Add(ref _fileLength, length);
        Interlocked.Increment(ref _writes);
        _writtenLsn = _inflightEndLsn;
        Volatile.Write(ref _inflightLength, 0);
        if (!LastWriteOk && !_fsyncFailed)
        {
            _log.Warning("AOF write error looks solved, Redis can write again.");
            LastWriteOk = true;
        }
        return true;
    }

    private void HandleWriteError(IOException e, long before, int length)
    {
        long actual;
        try
        {
            actual = _file?.Length ?? before;
        }
        catch (IOException)
        {
            actual = before;
        }
        string reason = AofErrors.Describe(e);
        if (actual > before)
        {
            // A short write: take the partial command back out of the file, or, if that fails, out of the buffer,
            // so that the file never holds half a command followed by a whole one.
            _log.Warning($"Short write while writing to the AOF file: (nwritten={actual - before}, expected={length})");
            try
            {
                _fs.Truncate(_path, before);
                _file?.Dispose();
                _file = null;
            }
            catch (IOException te)
            {
                _log.Warning($"Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {AofErrors.Describe(te)}");
                int written = (int)(actual - before);
                Buffer.BlockCopy(_inflight, written, _inflight, 0, length - written);
                Volatile.Write(ref _inflightLength, length - written);
                Interlocked.Exchange(ref _fileLength, actual);
            }
        }
        else if (LastWriteOk || Environment.TickCount64 - _lastWriteErrorLogTicks >= WriteErrorLogIntervalMs)
        {
            // Like Redis, a persisting error is logged once per interval, not once per retry.
            _lastWriteErrorLogTicks = Environment.TickCount64;
            _log.Warning($"Error writing to the AOF file: {reason}");
        }
        SetError(reason);
    }

    private void SetError(string reason)
    {
        LastWriteError = reason;
        LastWriteOk = false;
    }

    /// <summary>fsync now (on the calling thread); publishes <paramref name="upTo"/> as durable on success.</summary>
    private bool TrySync(long upTo)
    {
        try
        {
            if (_file == null)
            {
                throw new IOException("The AOF file is not open");
            }
            long syncStart = System.Diagnostics.Stopwatch.GetTimestamp();
            _file.SyncData();
            Volatile.Write(ref _lastFsyncDuration, System.Diagnostics.Stopwatch.GetTimestamp() - syncStart);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            string reason = e is IOException io ? AofErrors.Describe(io) : e.Message;
            _log.Warning($"Can't persist AOF for fsync error when the AOF fsync policy is '{PolicyName(_config.AppendFsync)}': {reason}");
            _fsyncFailed = true;
            SetError(reason);
            FailWaiters();
            return false;
        }
        Interlocked.Increment(ref _fsyncs);
        _lastFsyncTicks = Environment.TickCount64;
        if (_fsyncFailed)
        {
            _fsyncFailed = false;
            if (Volatile.Read(ref _inflightLength) == 0)
            {
                _log.Warning("AOF write error looks solved, Redis can write again.");
                LastWriteOk = true;
            }
        }
        List<DurabilityWaiter>? done;
        lock (_gate)
        {
            if (upTo > _durableLsn)
            {
                Volatile.Write(ref _durableLsn, upTo);
            }
            done = ReleaseLocked(upTo);
        }
        Complete(done);
        return true;
    }

    /// <summary>Releases the replies waiting for LSNs up to <paramref name="upTo"/> without an fsync (see the class notes).</summary>
    private void Release(long upTo)
    {
        List<DurabilityWaiter>? done;
        lock (_gate)
        {
            done = ReleaseLocked(upTo);
        }
        Complete(done);
    }

    private List<DurabilityWaiter>? ReleaseLocked(long upTo)
    {
        if (upTo > _releasedLsn)
        {
            Volatile.Write(ref _releasedLsn, upTo);
        }
        return PublishProgressLocked();
    }

    /// <summary>everysec: one background fsync a second; also retries a failed fsync under any policy but no.</summary>
    private void FsyncIfDue()
    {
        AppendFsyncMode policy = _config.AppendFsync;
        long written = _writtenLsn;
        if (written <= Volatile.Read(ref _durableLsn))
        {
            return;
        }
        if (policy == AppendFsyncMode.Always)
        {
            // A failed fsync is retried; one skipped by no-appendfsync-on-rewrite is made up once the job is over.
            if (_fsyncFailed || !FsyncSuppressed)
            {
                TrySync(written);
            }
            return;
        }
        if (policy != AppendFsyncMode.EverySec || FsyncInProgress)
        {
            return;
        }
        if (FsyncSuppressed)
        {
            return;
        }
        if (Environment.TickCount64 - _lastFsyncTicks < 1000 && !_fsyncFailed)
        {
            return;
        }
        _backgroundFsync = Task.Run(() => TrySync(written));
    }

    /// <summary>Set by the AOF service while BGREWRITEAOF runs: no-appendfsync-on-rewrite skips fsyncs then.</summary>
    public bool RewriteInProgress { get; set; }

    /// <summary>Set by the AOF service: whether a BGSAVE runs (no-appendfsync-on-rewrite counts it too, as Redis counts any child).</summary>
    public Func<bool>? BackgroundSaveActive { get; set; }

    private bool FsyncSuppressed => _config.NoAppendfsyncOnRewrite && (RewriteInProgress || (BackgroundSaveActive?.Invoke() ?? false));

    /// <summary>
    /// Under always, a failed write or fsync fails every reply waiting so far, including those appended behind the
    /// failed batch: none of them can be made durable while the disk fails, and none may be acknowledged.
    /// </summary>
    private void FailWaiters()
    {
        List<DurabilityWaiter>? done;
        lock (_gate)
        {
            if (_appendedLsn > _failedLsn)
            {
                _failedLsn = _appendedLsn;
            }
            done = PublishProgressLocked();
        }
        Complete(done);
    }

    /// <summary>
    /// Takes out the waiters whose outcome is now known (durable, failed, or closed) and returns them to be completed
    /// outside the lock (see <see cref="Complete"/>), or null when there are none.
    /// </summary>
    private List<DurabilityWaiter>? PublishProgressLocked()
    {
        List<DurabilityWaiter>? ready = null;
        int waiting = _waiters.Count;
        bool closed = _closed && _flusherDone;
        int kept = 0;
        for (int i = 0; i < _waiters.Count; i++)
        {
            DurabilityWaiter waiter = _waiters[i];
            if (waiter.Lsn <= _releasedLsn || waiter.Lsn <= _failedLsn || closed)
            {
                waiter.Durable = waiter.Lsn <= _releasedLsn;
                (ready ??= new List<DurabilityWaiter>(_waiters.Count)).Add(waiter);
            }
            else
            {
                _waiters[kept++] = waiter;
            }
        }
        _waiters.RemoveRange(kept, _waiters.Count - kept);
        Volatile.Write(ref _waiterCount, _waiters.Count);
        _cohorts.Released(waiting - kept, waiting);
        Volatile.Write(ref _holdTarget, _cohorts.HoldTarget);
        return ready;
    }

    /// <summary>
    /// Completes released waiters: on the socket event thread when there is one (<see cref="ReleaseQueue"/>), where
    /// their connections run anyway, so a released reply is sent without a thread hop; else all on one pool thread.
    /// Each waiter's continuation runs synchronously where it is completed, so never on the flusher (it would send
    /// replies instead of starting the next fsync) nor under a lock.
    /// </summary>
    private void Complete(List<DurabilityWaiter>? ready)
    {
        if (ready == null)
        {
            return;
        }
        if (ReleaseQueue is { } queue)
        {
            queue.Post(static r => CompleteAll((List<DurabilityWaiter>)r!), ready);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static r => CompleteAll(r), ready, preferLocal: false);
        }
    }

    private static void CompleteAll(List<DurabilityWaiter> ready)
    {
        foreach (DurabilityWaiter waiter in ready)
        {
            waiter.Complete();
        }
    }

    /// <summary>Where waiters are released (set by the AOF service to the event thread's queue); null: the pool.</summary>
    public Hosting.EventThreadQueue? ReleaseQueue { get; init; }

    private static string PolicyName(AppendFsyncMode mode) => mode switch
    {
        AppendFsyncMode.Always => "always",
        AppendFsyncMode.EverySec => "everysec",
        _ => "no",
    };

    private void AppendNumber(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
        AppendRaw(digits[..n]);
    }

    private void AppendRaw(ReadOnlySpan<byte> data)
    {
        if (_pendingLength + data.Length > _pending.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_pending.Length * 2, _pendingLength + data.Length));
            Buffer.BlockCopy(_pending, 0, bigger, 0, _pendingLength);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = bigger;
        }
        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
        _appendedLsn += data.Length;
    }
}
