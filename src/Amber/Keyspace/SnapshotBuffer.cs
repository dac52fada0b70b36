using System.Buffers;
using System.Threading.Channels;

namespace Amber.Keyspace;

/// <summary>
/// The bytes between a snapshot's producers (captures, under the keyspace lock) and its consumer (the encoder and
/// file writer, outside the lock). Producers write into pooled chunks (<see cref="SnapshotChunkPool"/>); a full
/// chunk, or one at least half full at the end of a walker step, is published to the consumer, which writes it and
/// releases it back to the pool.
/// <para>
/// Back-pressure: the walker waits (without the lock) while published, unreleased bytes exceed the limit.
/// Captures on the request path cannot wait, so pending bytes may pass the limit; their peak is what INFO reports as
/// the copy-on-write size, the memory a fork would have spent on copied pages.
/// </para>
/// Thread model: the producer side (IBufferWriter members, <see cref="Publish"/>, <see cref="Complete"/>) is called
/// under the keyspace lock only; the consumer side (<see cref="TryRead"/>, <see cref="WaitToReadAsync"/>,
/// <see cref="Release"/>) from one consumer at a time, concurrently with producers.
/// </summary>
internal sealed class SnapshotBuffer : IBufferWriter<byte>
{
    private readonly Channel<SnapshotChunk> _published = Channel.CreateUnbounded<SnapshotChunk>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly int _chunkSize;
    private readonly SnapshotChunkPool _chunks;
    private readonly long _pendingLimit;

    private byte[]? _current;
    private int _written;
    private long _pendingBytes;
    private long _publishedBytes;
    private long _releasedChunks;
    private long _peakPendingBytes;
    private long _totalBytes;
    private volatile Exception? _failure;
    private bool _completed;

    public SnapshotBuffer(int chunkSize, long pendingLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 256);
        _chunkSize = chunkSize;
        _chunks = new SnapshotChunkPool(chunkSize);
        _pendingLimit = pendingLimit;
    }

    /// <summary>Bytes of sealed chunks not yet released by the consumer (the chunk being filled is counted when sealed).</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>The most bytes ever pending at once (INFO rdb_last_cow_size / current_cow_size).</summary>
    public long PeakPendingBytes => Interlocked.Read(ref _peakPendingBytes);

    /// <summary>Every byte the producers wrote.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public long PendingLimit => _pendingLimit;

    /// <summary>Chunks handed to the consumer so far (tests).</summary>
    internal int ChunksPublished { get; private set; }

    /// <summary>Chunk arrays allocated so far; the others were reused (tests).</summary>
    internal int ChunksAllocated => _chunks.Allocated;

    // ---- producer side (under the keyspace lock) ----

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_current == null || _current.Length - _written < needed)
        {
            Seal();
            _current = needed <= _chunkSize ? _chunks.Rent() : ArrayPool<byte>.Shared.Rent(needed);
            _written = 0;
        }
        return _current.AsMemory(_written);
    }

    public void Advance(int count)
    {
        if (_current == null || (uint)count > (uint)(_current.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        // Counted when the chunk is sealed, not per record: every capture came here, and the interlocked updates of
        // counters the consumer also updates cost the request path a contended cache line per key.
        _written += count;
    }

    /// <summary>
    /// End of a walker step: hands the chunk being filled to the consumer, so it can be written meanwhile, once it is
    /// half full. Sealing every step's few kilobytes put a whole chunk in flight for each, so the pending limit
    /// (which counts bytes written) let hundreds of megabytes of mostly empty chunks pile up behind a slow consumer.
    /// </summary>
    public void Publish()
    {
        if (_written >= _chunkSize / 2)
        {
            Seal();
        }
    }

    /// <summary>No more bytes: the consumer reads what is left, then sees the end.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        Seal();
        _completed = true;
        _published.Writer.TryComplete();
    }

    /// <summary>
    /// Aborts the stream: the consumer's next read throws <paramref name="error"/>, queued chunks go back to the pool,
    /// later writes are discarded, and a waiting walker wakes.
    /// </summary>
    public void Fail(Exception error)
    {
        _failure ??= error;
        _completed = true;
        // Completed without an error object: WaitToReadAsync reports _failure itself, whether or not the stream had
        // already completed normally when the consumer failed.
        _published.Writer.TryComplete();
        if (_current != null)
        {
            // Never sealed, so never counted.
            ReturnArray(_current);
            _current = null;
            _written = 0;
        }
        while (_published.Reader.TryRead(out SnapshotChunk chunk))
        {
            Release(chunk);
        }
    }

    private void Seal()
    {
        if (_current == null || _written == 0)
        {
            return;
        }
        var chunk = new SnapshotChunk(_current, _written);
        _current = null;
        _written = 0;
        Interlocked.Add(ref _totalBytes, chunk.Length);
        long pending = Interlocked.Add(ref _pendingBytes, chunk.Length);
        if (pending > Interlocked.Read(ref _peakPendingBytes))
        {
            Interlocked.Exchange(ref _peakPendingBytes, pending);
        }
        if (_failure != null || _completed)
        {
            Discard(chunk.Array, chunk.Length);
            return;
        }
        ChunksPublished++;
        Interlocked.Add(ref _publishedBytes, chunk.Length);
        if (!_published.Writer.TryWrite(chunk))
        {
            Release(chunk);
        }
    }

    private void Discard(byte[] array, int length)
    {
        Interlocked.Add(ref _pendingBytes, -length);
        ReturnArray(array);
    }

    private void ReturnArray(byte[] array)
    {
        // A record larger than a chunk got an array of its own from the shared pool (always longer than a chunk).
        if (array.Length == _chunkSize)
        {
            _chunks.Return(array);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>Chunks the consumer has released so far: its progress, as seen from other threads.</summary>
    public long ReleasedChunks => Interlocked.Read(ref _releasedChunks);

    /// <summary>Whether a published chunk is waiting for the consumer.</summary>
    public bool HasChunkWaiting => _published.Reader.TryPeek(out _);

    /// <summary>Published bytes are above the limit: the consumer is behind (the walker is waiting).</summary>
    public bool IsOverLimit => Interlocked.Read(ref _publishedBytes) > _pendingLimit;

    /// <summary>
    /// The consumer has brought published bytes down to the limit (or the stream failed): the walker may step. The
    /// walker polls this (sleeping 1 ms between polls) rather than being woken by the consumer: the consumer may run at
    /// a lower OS priority, and must not queue work to the thread pool.
    /// </summary>
    public bool HasRoom => Interlocked.Read(ref _publishedBytes) <= _pendingLimit || _failure != null;

    // ---- consumer side ----

    /// <summary>True once the stream is complete (or failed) and every chunk has been read.</summary>
    public bool IsDrained => _published.Reader.Completion.IsCompleted;

    /// <summary>Throws <see cref="SnapshotAbortedException"/> if the stream failed.</summary>
    public void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw new SnapshotAbortedException(failure);
        }
    }

    /// <summary>The next published chunk, if any; write it, then <see cref="Release"/> it.</summary>
    public bool TryRead(out SnapshotChunk chunk) => _published.Reader.TryRead(out chunk);

    /// <summary>
    /// <see cref="WaitToReadAsync"/> blocking the calling thread, for a consumer on a thread of its own (which then
    /// does all the consuming work itself instead of continuing on the thread pool).
    /// </summary>
    public bool WaitToRead(CancellationToken cancellationToken = default)
    {
        // Polled rather than awaited: a waiting reader of the channel is woken through a thread-pool work item (the
        // channel never runs its waiters' continuations inline), which wakes pool workers that then spin for more work
        // on the CPUs the event thread and the clients need. Idle, the consumer wakes a thousand times a second: on an
        // idle server it is the slow side and seldom waits; under load the walk is paced and it mostly polls.
        while (true)
        {
            ThrowIfFailed();
            cancellationToken.ThrowIfCancellationRequested();
            if (HasChunkWaiting)
            {
                return true;
            }
            if (_published.Reader.Completion.IsCompleted)
            {
                ThrowIfFailed();
                return false;
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>True when a chunk can be read; false at the end of a completed stream; throws if the stream failed.</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        bool more = await _published.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        if (_failure is { } failure)
        {
            throw new SnapshotAbortedException(failure);
        }
        return more;
    }

    /// <summary>The consumer is done: the chunks freed during the snapshot are kept (some of them) for the next.</summary>
    public void Close() => _chunks.Close();

    /// <summary>Gives a chunk's memory back: the walker may go on when enough has been released.</summary>
    public void Release(SnapshotChunk chunk)
    {
        Interlocked.Increment(ref _releasedChunks);
        Interlocked.Add(ref _publishedBytes, -chunk.Length);
        Discard(chunk.Array, chunk.Length);
    }
}

/// <summary>A published run of snapshot bytes in a pooled array; owned by the consumer until released.</summary>
internal readonly struct SnapshotChunk(byte[] array, int length)
{
    internal byte[] Array { get; } = array;

    public int Length { get; } = length;

    public ReadOnlySpan<byte> Span => Array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, Length);
}

/// <summary>The snapshot stopped before its end (sink or consumer error, cancellation, shutdown); the cause is inner.</summary>
internal sealed class SnapshotAbortedException(Exception cause)
    : Exception("The snapshot was aborted: " + cause.Message, cause);
