using System.Collections.Concurrent;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// The second stage of a pipelined load: a thread of its own hands the keys the reader has parsed to the target
/// (hashing, entry creation, table insert) while the reader parses the next ones, so a load uses two cores.
/// Keys travel in batches through a bounded queue (at most <see cref="BatchesInFlight"/> batches of at most
/// <see cref="BatchKeys"/> keys or about <see cref="BatchBytes"/> bytes each), so memory stays bounded whatever the
/// file size. Everything else the target is told (SELECTDB, RESIZEDB, AUX) waits for the queue to drain
/// (<see cref="Drain"/>), so the target sees the file's order and is never called from two threads at once.
/// A key the target refuses, or any exception in the target, stops the stage; the reader learns of it at its next
/// hand-off or drain and fails the load with that key's offset. <see cref="Dispose"/> always waits for the thread.
/// </summary>
internal sealed class KeyInsertPipeline : IDisposable
{
    internal const int BatchKeys = 1024;
    internal const long BatchBytes = 1 << 20;
    internal const int BatchesInFlight = 4;

    private readonly IRdbLoadTarget _target;
    private readonly string _fileName;
    private readonly BlockingCollection<Batch> _full = new(new ConcurrentQueue<Batch>(), BatchesInFlight);
    private readonly ConcurrentBag<Batch> _free = [];
    private readonly SemaphoreSlim _drained = new(0);
    private readonly CancellationTokenSource _failed = new();
    private readonly Thread _thread;
    private Batch _current = new();
    private volatile bool _abandoned;

    // Set by the insert thread before it cancels _failed; read by the reader after observing the cancellation.
    private long _failedOffset;
    private byte[]? _failedKey;
    private int _failedType;
    private Exception? _failedException;

    public KeyInsertPipeline(IRdbLoadTarget target, string fileName)
    {
        _target = target;
        _fileName = fileName;
        _thread = new Thread(InsertLoop) { IsBackground = true, Name = "amber-load-insert" };
        _thread.Start();
    }

    /// <summary>The insert thread (tests check that a finished or failed load released it).</summary>
    internal Thread Thread => _thread;

    /// <summary>Queues a key; <paramref name="offset"/> and <paramref name="type"/> name it if the target refuses it.</summary>
    public void Add(in RdbKeyRecord record, long offset, int type, long size)
    {
        Batch batch = _current;
        batch.Records[batch.Count] = record;
        batch.Offsets[batch.Count] = offset;
        batch.Types[batch.Count] = (byte)type;
        batch.Count++;
        batch.Bytes += size;
        if (batch.Count == BatchKeys || batch.Bytes >= BatchBytes)
        {
            Send(signal: false);
        }
    }

    /// <summary>Waits until every queued key is in the target; throws the insert thread's failure, if any.</summary>
    public void Drain()
    {
        Send(signal: true);
        try
        {
            _drained.Wait(_failed.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failure();
        }
    }

    /// <summary>
    /// After the reader failed: lets the keys before the failure reach the target, so a refused key earlier in the
    /// file is what the load reports (as a single-threaded load would); returns that failure, or null.
    /// </summary>
    public RdbLoadException? EarlierFailure()
    {
        try
        {
            Drain();
            return null;
        }
        catch (RdbLoadException e)
        {
            return e;
        }
    }

    private void Send(bool signal)
    {
        Batch batch = _current;
        if (batch.Count == 0 && !signal)
        {
            return;
        }
        batch.Signal = signal;
        try
        {
            _full.Add(batch, _failed.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failure();
        }
        _current = _free.TryTake(out Batch? reused) ? reused : new Batch();
    }

    private RdbLoadException Failure()
    {
        if (_failedException is RdbLoadException loadError)
        {
            return loadError;
        }
        if (_failedException != null)
        {
            return new RdbLoadException(RdbLoadErrorKind.IoError, $"Error loading the RDB file: {_failedException.Message}",
                _fileName, _failedOffset, RdbLoadPhase.ReadObjectValue, _failedKey, _failedType, _failedException);
        }
        return new RdbLoadException(RdbLoadErrorKind.DuplicateKey, "Duplicated key found in RDB file", _fileName,
            _failedOffset, RdbLoadPhase.ReadObjectValue, _failedKey, _failedType);
    }

    private void InsertLoop()
    {
        try
        {
            foreach (Batch batch in _full.GetConsumingEnumerable())
            {
                if (_abandoned)
                {
                    // The reader failed: drop what is queued (the caller discards the target anyway) and exit.
                    continue;
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    bool added;
                    try
                    {
                        added = _target.OnKey(batch.Records[i]);
                    }
                    catch (Exception e)
                    {
                        Fail(batch, i, e);
                        return;
                    }
                    if (!added)
                    {
                        Fail(batch, i, null);
                        return;
                    }
                }
                bool signal = batch.Signal;
                batch.Clear();
                _free.Add(batch);
                if (signal)
                {
                    _drained.Release();
                }
            }
        }
        catch (Exception e)
        {
            // Only the queue itself can throw here (e.g. out of memory); the reader must not wait forever.
            _failedException = e;
            _failed.Cancel();
        }
    }

    private void Fail(Batch batch, int index, Exception? e)
    {
        _failedOffset = batch.Offsets[index];
        _failedKey = batch.Records[index].Key;
        _failedType = batch.Types[index];
        _failedException = e;
        _failed.Cancel();
    }

    /// <summary>Stops the insert thread and waits for it; keys still queued are dropped (the load failed).</summary>
    public void Dispose()
    {
        _abandoned = true;
        _full.CompleteAdding();
        _thread.Join();
        _full.Dispose();
        _drained.Dispose();
        _failed.Dispose();
    }

    private sealed class Batch
    {
        public readonly RdbKeyRecord[] Records = new RdbKeyRecord[BatchKeys];
        public readonly long[] Offsets = new long[BatchKeys];
        public readonly byte[] Types = new byte[BatchKeys];
        public int Count;
        public long Bytes;
        public bool Signal;

        public void Clear()
        {
            Array.Clear(Records, 0, Count);
            Count = 0;
            Bytes = 0;
            Signal = false;
        }
    }
}
