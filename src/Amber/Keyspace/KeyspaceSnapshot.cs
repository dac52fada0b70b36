using System.Buffers;
using System.Diagnostics;

namespace Amber.Keyspace;

/// <summary>
/// A fork-less point-in-time snapshot of every database (DESIGN §4, docs/architecture.md "Snapshots"): the dataset
/// exactly as it was at <see cref="Start"/>, serialized by an <see cref="ISnapshotSink"/> while clients keep reading
/// and writing. Each bucket of each table is captured once, either by the walker (<see cref="Step"/>, a bounded
/// chunk at a time under the keyspace lock) or by the first operation that reaches it, which captures it before
/// anything can change (KeyTable.Snapshot.cs). A capture only copies (a string's bytes) or, for values that change
/// in place, has the sink encode them; the records flow through <see cref="Output"/> to the consumer, which encodes
/// the strings through the sink and writes the stream outside the lock (KeyspaceSnapshot.Consumer.cs).
/// <para>Typical use (BGSAVE):</para>
/// <code>
/// lock (server.KeyspaceLock) { snapshot = server.StartSnapshot(sink); }
/// Task producer = snapshot.RunOnOwnThread();
/// Task consumer = Task.Run(() => snapshot.WriteToAsync(file.Write));
/// await Task.WhenAll(producer, consumer);   // throws SnapshotAbortedException on abort
/// </code>
/// </summary>
internal sealed partial class KeyspaceSnapshot
{
    /// <summary>Work units (buckets visited plus keys captured) between clock checks in a step.</summary>
    private const int UnitsPerClockCheck = 32;

    /// <summary>Beyond this the capture-side scratch buffer is dropped after use rather than kept.</summary>
    private const int MaxRetainedScratchBytes = 1 << 20;

    /// <summary>Versions only grow, across servers too, so a stamp left by any earlier snapshot is below a new one.</summary>
    private static long s_lastVersion;

    private readonly object _keyspaceLock;
    private readonly ISnapshotSink _sink;
    private readonly SnapshotOptions _options;
    private readonly SnapshotTable[] _tables;
    private readonly long[] _keysAtStart;
    private readonly long[] _volatileKeysAtStart;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _stepTicks;
    private readonly long _assistTicks;
    private readonly long _assistIntervalTicks;
    private readonly long _idleBeforeWalkTicks;
    private long _lastAssist;
    private long _lastRequestBatch;
    private int _walkIndex;
    private ArrayBufferWriter<byte> _scratch = new();
    private long _keysProcessed;
    private long _steps;
    private volatile SnapshotState _state;
    private volatile Exception? _error;

    private KeyspaceSnapshot(object keyspaceLock, ISnapshotSink sink, SnapshotOptions options, int databaseCount, int tableCount)
    {
        _keyspaceLock = keyspaceLock;
        _sink = sink;
        _options = options;
        _tables = new SnapshotTable[tableCount];
        _keysAtStart = new long[databaseCount];
        _volatileKeysAtStart = new long[databaseCount];
        _visited = new bool[databaseCount];
        _encoded = new FlushingBufferWriter(options.ChunkSize);
        _stepTicks = ToTicks(options.StepDuration);
        _assistTicks = ToTicks(options.AssistDuration);
        _assistIntervalTicks = ToTicks(options.AssistInterval);
        _idleBeforeWalkTicks = ToTicks(options.IdleBeforeWalk);
        Output = new SnapshotBuffer(options.ChunkSize, options.PendingLimit);
        Version = Interlocked.Increment(ref s_lastVersion);
    }

    /// <summary>The version stamp of this snapshot: buckets stamped below it are not captured yet.</summary>
    public long Version { get; }

    public SnapshotState State => _state;

    public bool IsRunning => _state == SnapshotState.Running;

    /// <summary>Why the snapshot was aborted (null unless <see cref="State"/> is Aborted).</summary>
    public Exception? Error => _error;

    /// <summary>Keys in all databases at the start (INFO current_save_keys_total).</summary>
    public long KeysTotal { get; private set; }

    /// <summary>Keys captured so far (INFO current_save_keys_processed).</summary>
    public long KeysProcessed => Volatile.Read(ref _keysProcessed);

    /// <summary>Walker steps that ended with the lock released before the walk was done (diagnostics, tests).</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>The capture records (<see cref="CaptureRecord"/>), for the consumer: <see cref="WriteToAsync"/>,
    /// <see cref="RunToCompletion"/> or <see cref="DrainReady"/>.</summary>
    public SnapshotBuffer Output { get; }

    /// <summary>
    /// Completes when every key has been captured (the consumer may still be encoding and writing);
    /// faults with <see cref="SnapshotAbortedException"/> when the snapshot is aborted.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Starts a snapshot of <paramref name="databases"/> as they are now; O(number of databases). The caller holds
    /// <paramref name="keyspaceLock"/> (the lock every table operation runs under). The sink's Begin comes from the
    /// consumer, before its first bytes.
    /// Throws <see cref="InvalidOperationException"/> if another snapshot is still capturing one of the tables.
    /// </summary>
    public static KeyspaceSnapshot Start(IReadOnlyList<Database> databases, object keyspaceLock, ISnapshotSink sink, SnapshotOptions? options = null)
    {
        if (!Monitor.IsEntered(keyspaceLock))
        {
            throw new InvalidOperationException("A snapshot starts under the keyspace lock.");
        }
        int nonEmpty = 0;
        foreach (Database db in databases)
        {
            if (db.Table.IsCapturing)
            {
                throw new InvalidOperationException("Another snapshot is still running.");
            }
            nonEmpty += db.Count > 0 ? 1 : 0;
        }
        var snapshot = new KeyspaceSnapshot(keyspaceLock, sink, options ?? SnapshotOptions.Default, databases.Count, nonEmpty);
        int t = 0;
        foreach (Database db in databases)
        {
            snapshot._keysAtStart[db.Index] = db.Count;
            snapshot._volatileKeysAtStart[db.Index] = db.VolatileCount;
            snapshot.KeysTotal += db.Count;
            // An empty table has nothing to capture: whatever is added to it later is after the snapshot.
            if (db.Count > 0)
            {
                var table = new SnapshotTable(snapshot, db.Table, db.Index, snapshot.Version);
                snapshot._tables[t++] = table;
                db.Table.AttachSnapshot(table);
            }
        }
        return snapshot;
    }

    /// <summary>
    /// One walker step, under the keyspace lock: captures buckets nobody has touched yet until the step's time or
    /// work budget is spent, then publishes the bytes. True when the snapshot is over (finished or aborted).
    /// </summary>
    public bool Step() => Step(_stepTicks);

    /// <summary>
    /// A short walker step taken by the request path (under the keyspace lock, after a batch of requests), at most one
    /// per <see cref="SnapshotOptions.AssistInterval"/>. While clients keep the server busy the walk advances this way,
    /// on the thread that serves them, and the background walker stays off the lock: a walker thread holding the lock
    /// loses the CPU now and then on a busy machine, and every client then waits out its time slice (milliseconds).
    /// </summary>
    public void Assist()
    {
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastRequestBatch, now);
        if (now - _lastAssist < _assistIntervalTicks || Output.IsOverLimit || _state != SnapshotState.Running)
        {
            return;
        }
        Step(_assistTicks);
        // Stamped after the step, so the interval is counted from its end: the request path spends at most
        // AssistDuration / (AssistDuration + AssistInterval) of its time walking.
        _lastAssist = Stopwatch.GetTimestamp();
    }

    private bool Step(long durationTicks)
    {
        if (_state != SnapshotState.Running)
        {
            return true;
        }
        long deadline = Stopwatch.GetTimestamp() + durationTicks;
        long remaining = _options.StepBudget;
        while (_walkIndex < _tables.Length)
        {
            SnapshotTable table = _tables[_walkIndex];
            int slice = (int)Math.Clamp(remaining, 0, UnitsPerClockCheck);
            int budget = slice;
            bool tableDone = !table.IsCapturing || table.CaptureSome(ref budget);
            if (_state != SnapshotState.Running)
            {
                return true;
            }
            remaining -= slice - budget;
            if (tableDone)
            {
                // Every bucket is stamped: stop paying for the hook and let the table resize again.
                table.Detach();
                _walkIndex++;
                continue;
            }
            if (remaining <= 0 || Stopwatch.GetTimestamp() >= deadline)
            {
                Output.Publish();
                Interlocked.Increment(ref _steps);
                return false;
            }
        }
        Finish();
        return true;
    }

    private static long ToTicks(TimeSpan duration) => Math.Max(1, (long)(duration.TotalSeconds * Stopwatch.Frequency));

    private void Finish()
    {
        _state = SnapshotState.Completed;
        DetachAll();
        Output.Complete();
        _completion.TrySetResult();
    }

    /// <summary>
    /// The background driver, on a thread of its own (never the thread pool: see below): steps the walker, taking the
    /// keyspace lock for each step and releasing it between steps so clients run, and sleeping (without the lock)
    /// while the consumer is behind or clients are being served. Call outside the lock. Returns when every key is
    /// captured; throws <see cref="SnapshotAbortedException"/> if the snapshot was aborted. Cancelling
    /// <paramref name="cancellationToken"/> aborts the snapshot.
    /// </summary>
    /// <remarks>
    /// Every wait here is a sleep on this thread. As pool work items (a Task.Delay or Task.Yield per step) the steps
    /// kept waking pool workers, which then spun in sched_yield looking for more work: on two cores, CPU taken from
    /// the event thread and the clients, measured as the main cost of a BGSAVE to request latency
    /// (docs/benchmarks.md, "Session 6").
    /// </remarks>
    public void Run(CancellationToken cancellationToken = default)
    {
        try
        {
            while (_state == SnapshotState.Running)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long untilIdle = _idleBeforeWalkTicks - (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastRequestBatch));
                if (untilIdle > 0)
                {
                    // Clients are being served, and the request path walks meanwhile (Assist): stay off the lock until
                    // the server could have been idle long enough (polling every millisecond meant 10 wake-ups for one).
                    // Checked before the room: a consumer that is behind (often, draining at idle priority) would
                    // otherwise have this thread wake every millisecond on the CPUs the clients need.
                    Thread.Sleep(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, untilIdle * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                    continue;
                }
                if (!Output.HasRoom)
                {
                    // The consumer is behind: it releases chunks as it writes them.
                    Thread.Sleep(1);
                    continue;
                }
                long contention = Monitor.LockContentionCount;
                lock (_keyspaceLock)
                {
                    Step();
                }
                if (Monitor.LockContentionCount != contention)
                {
                    // Someone waited for a lock meanwhile, likely a client for this one. Monitor is not fair: a
                    // walker that re-enters at once can keep winning the race against a waiter still waking up,
                    // so step aside for a moment. With no clients waiting the walk runs at full speed.
                    Thread.Sleep(1);
                }
            }
        }
        catch (Exception e)
        {
            Abort(e);
        }
        Completion.GetAwaiter().GetResult();
    }

    /// <summary>Starts <see cref="Run"/> on a new background thread; the task ends with it.</summary>
    public Task RunOnOwnThread(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(cancellationToken);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        { IsBackground = true, Name = "amber-snapshot" };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// The consumer: encodes the capture records as they are published and hands the stream's bytes to
    /// <paramref name="write"/> (e.g. IWritableFile.Write) until its end. If <paramref name="write"/> or the sink
    /// throws, or the token is cancelled, the snapshot is aborted and the exception rethrown; if the snapshot is
    /// aborted, throws <see cref="SnapshotAbortedException"/>.
    /// </summary>
    public async Task WriteToAsync(Action<ReadOnlySpan<byte>> write, CancellationToken cancellationToken = default)
    {
        try
        {
            while (await Output.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                DrainReady(write);
            }
            DrainReady(write);
        }
        catch (Exception e)
        {
            FailConsumer(e);
            throw;
        }
    }

    /// <summary>
    /// <see cref="WriteToAsync"/> on the calling thread, blocking while nothing is published: for a consumer with a
    /// thread of its own (a background save, which lowers that thread's priority: the work must stay on it). With
    /// <paramref name="handOver"/>, stops between two chunks once it returns true and returns false; another thread
    /// then goes on where this one stopped. True when the stream is complete.
    /// </summary>
    public bool WriteTo(Action<ReadOnlySpan<byte>> write, Func<bool>? handOver = null, CancellationToken cancellationToken = default)
    {
        try
        {
            while (Output.WaitToRead(cancellationToken))
            {
                if (handOver?.Invoke() == true)
                {
                    return false;
                }
                DrainReady(write, yieldBetweenChunks: true, handOver);
            }
            DrainReady(write, yieldBetweenChunks: true);
            return true;
        }
        catch (Exception e)
        {
            FailConsumer(e);
            throw;
        }
    }

    /// <summary>
    /// A foreground save (SAVE, DEBUG RELOAD, shutdown): walks to the end holding the keyspace lock throughout,
    /// writing the output as it goes. Throws <see cref="SnapshotAbortedException"/> or the writer's exception.
    /// </summary>
    public void RunToCompletion(Action<ReadOnlySpan<byte>> write)
    {
        lock (_keyspaceLock)
        {
            bool done;
            do
            {
                done = Step();
                DrainReady(write);
            }
            while (!done);
            if (_state == SnapshotState.Aborted)
            {
                throw new SnapshotAbortedException(_error!);
            }
        }
    }

    /// <summary>
    /// Stops the snapshot (error, cancellation, shutdown): tables stop capturing and may resize again, the consumer's
    /// next read throws, <see cref="Completion"/> faults. Takes the keyspace lock; does nothing after the end
    /// except failing the output, so a consumer that fails after the walker finished still frees its buffers.
    /// </summary>
    public void Abort(Exception? reason = null)
    {
        lock (_keyspaceLock)
        {
            reason ??= new OperationCanceledException("The snapshot was cancelled.");
            if (_state == SnapshotState.Running)
            {
                _error = reason;
                _state = SnapshotState.Aborted;
                DetachAll();
                _completion.TrySetException(new SnapshotAbortedException(reason));
            }
            Output.Fail(_error ?? reason);
        }
    }

    private void DetachAll()
    {
        foreach (SnapshotTable table in _tables)
        {
            table.Detach();
        }
    }

    /// <summary>
    /// Records one entry as it is now (under the lock); false once the snapshot is no longer running. A string is
    /// copied (the consumer encodes it); any other value is encoded by the sink at once, since it may change in place,
    /// and so is a string while the output is over its limit.
    /// </summary>
    internal bool Capture(SnapshotTable table, Entry entry)
    {
        if (_state != SnapshotState.Running)
        {
            return false;
        }
        try
        {
            // Over the limit (only request-path captures get here: the walker waits) the consumer is behind, e.g.
            // starved of CPU at its lower priority: encode here, as compact as the record gets, and on the time of
            // the requests that make the copies, so they cannot pile up faster than the consumer drains them.
            if (entry.IsString && !Output.IsOverLimit)
            {
                CaptureRecord.WriteString(Output, table.DbIndex, entry);
            }
            else
            {
                _sink.WriteEntry(entry, _scratch);
                CaptureRecord.WriteEncoded(Output, table.DbIndex, _scratch.WrittenSpan);
                if (_scratch.Capacity > MaxRetainedScratchBytes)
                {
                    _scratch = new ArrayBufferWriter<byte>();
                }
                else
                {
                    _scratch.ResetWrittenCount();
                }
            }
            // Written under the keyspace lock only (one writer); INFO reads it from other threads.
            _keysProcessed++;
            return true;
        }
        catch (Exception e)
        {
            // Never let a failing snapshot break the client command that happened to trigger the capture.
            _scratch.ResetWrittenCount();
            Abort(e);
            return false;
        }
    }
}

internal enum SnapshotState
{
    Running,
    Completed,
    Aborted,
}

/// <summary>How a snapshot paces itself.</summary>
internal sealed record SnapshotOptions
{
    public static readonly SnapshotOptions Default = new();

    /// <summary>
    /// The longest the walker holds the keyspace lock in one step: what a request arriving meanwhile may wait. A
    /// step copies strings and encodes only collections, so 200 µs is a few hundred keys.
    /// </summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromMicroseconds(200);

    /// <summary>The longest step the request path takes (<see cref="KeyspaceSnapshot.Assist"/>), added to one batch's latency.</summary>
    public TimeSpan AssistDuration { get; init; } = TimeSpan.FromMicroseconds(25);

    /// <summary>
    /// The least time between two steps of the request path: with the defaults it walks at most 5% of its time, so a
    /// BGSAVE under a saturating load paces itself (it takes longer; an idle server walks at full speed on the
    /// walker's thread). At 20% (100 µs per 400) p50 during a BGSAVE was 1.9–2.3× p50 without and p99 2.3–3.2×; at
    /// 10% still 1.3–1.7× and 1.7–2.4×; at 5% 0.94–1.09× and 1.4–1.6× (docs/benchmarks.md, "Session 6").
    /// </summary>
    public TimeSpan AssistInterval { get; init; } = TimeSpan.FromMicroseconds(475);

    /// <summary>
    /// The background walker takes the lock only once the request path has run no batch for this long; until then
    /// the request path walks (<see cref="KeyspaceSnapshot.Assist"/>). At 1.6 ms, gaps in a steady load (the event
    /// thread preempted on a busy machine, or waiting for its clients) let the walker in, and clients then waited on
    /// the lock for its step, or for whole time slices when it lost the CPU holding it.
    /// </summary>
    public TimeSpan IdleBeforeWalk { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>At most this many work units (buckets visited plus keys captured) per step, whatever the time.</summary>
    public long StepBudget { get; init; } = long.MaxValue;

    /// <summary>Size of the pooled chunks the sink writes into.</summary>
    public int ChunkSize { get; init; } = 64 * 1024;

    /// <summary>
    /// The walker waits while the consumer has more than this many published bytes left to write. As much as
    /// <see cref="SnapshotChunkPool.MaxRetainedBytes"/>: with 8 MB here and 4 kept, each BGSAVE of an idle server
    /// allocated 4 MB of new chunks, and a save loop under load then triggered gen1 collections.
    /// </summary>
    public long PendingLimit { get; init; } = 4 * 1024 * 1024;
}
