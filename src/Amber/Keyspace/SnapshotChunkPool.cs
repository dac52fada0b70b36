using System.Collections.Concurrent;

namespace Amber.Keyspace;

/// <summary>
/// The chunk arrays of one snapshot's output. The shared ArrayPool keeps only a few arrays per size and core, and a
/// snapshot has many chunks in flight between the request path (which fills them) and the save thread (which frees
/// them): most returns were dropped and every rent allocated 64 KB anew, 100–180 MB of garbage per BGSAVE under
/// load, collected by blocking gen1 collections of 100 ms and more (docs/benchmarks.md). Here a snapshot reuses every
/// chunk it freed, so it allocates only as many as it ever had in flight at once; chunks come from the pinned object
/// heap, which collections never copy; and when the snapshot ends up to <see cref="MaxRetainedBytes"/> of them stay
/// for the next one.
/// <para>
/// The free list is lock-free: the save thread (at the lowest OS priority) returns chunks while the request path
/// rents them, and a lock held by a thread that lost its CPU held up the event thread for milliseconds.
/// </para>
/// </summary>
internal sealed class SnapshotChunkPool(int chunkSize)
{
    /// <summary>What is kept between snapshots: as much as the default pending limit, so a snapshot that stays
    /// within it allocates no chunk at all.</summary>
    internal const long MaxRetainedBytes = 4 * 1024 * 1024;

    private static readonly Stack<byte[]> s_retained = new();

    private readonly ConcurrentQueue<byte[]> _free = new();

    /// <summary>Chunks this snapshot had to allocate (tests).</summary>
    internal int Allocated { get; private set; }

    public byte[] Rent()
    {
        if (_free.TryDequeue(out byte[]? chunk))
        {
            return chunk;
        }
        lock (s_retained)
        {
            if (s_retained.TryPeek(out byte[]? kept) && kept.Length == chunkSize)
            {
                return s_retained.Pop();
            }
        }
        Allocated++;
        return GC.AllocateUninitializedArray<byte>(chunkSize, pinned: true);
    }

    public void Return(byte[] chunk) => _free.Enqueue(chunk);

    /// <summary>The snapshot is over: its spare chunks go to the next one, up to <see cref="MaxRetainedBytes"/>.</summary>
    public void Close()
    {
        lock (s_retained)
        {
            if (s_retained.TryPeek(out byte[]? kept) && kept.Length != chunkSize)
            {
                s_retained.Clear();
            }
            while (_free.TryDequeue(out byte[]? chunk) && (s_retained.Count + 1L) * chunkSize <= MaxRetainedBytes)
            {
                s_retained.Push(chunk);
            }
            _free.Clear();
        }
    }
}
