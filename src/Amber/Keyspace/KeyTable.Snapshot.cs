namespace Amber.Keyspace;

/// <summary>
/// The table's side of the fork-less snapshot (docs/architecture.md, Snapshots). While a snapshot captures this table,
/// every operation that reaches a bucket (Find, Add, Remove, Random, Scan) first hands the bucket's chain, as it is
/// at that moment, to the snapshot unless the bucket's captured bit says it was captured already; the walker
/// captures the buckets nobody touched. Resizing and rehash steps are paused meanwhile, so a key stays in the bucket
/// it was in when the snapshot started. With no snapshot running, the cost is one null check per operation.
/// </summary>
internal sealed partial class KeyTable
{
    /// <summary>The snapshot capturing this table, or null (nearly always).</summary>
    private SnapshotTable? _snapshot;

    /// <summary>True while a snapshot still has to capture part of this table.</summary>
    internal bool IsCapturing => _snapshot != null;

    /// <summary>Starts capturing for <paramref name="snapshot"/> (under the keyspace lock).</summary>
    internal void AttachSnapshot(SnapshotTable snapshot)
    {
        if (_snapshot != null)
        {
            throw new InvalidOperationException("A snapshot is already capturing this table.");
        }
        _snapshot = snapshot;
        ResizePaused = true;
        // Buckets do not move while a snapshot runs (resizing is paused, and a forced resize or a clear detaches
        // first), so the bitmaps allocated here cover every bucket until the detach. 1 bit a bucket, only meanwhile.
        _main.Captured = new ulong[(_main.Entries.Length + 63) / 64];
        if (_target != null)
        {
            _target.Captured = new ulong[(_target.Entries.Length + 63) / 64];
        }
    }

    /// <summary>Stops capturing (the snapshot finished, was aborted, or has everything of this table).</summary>
    internal void DetachSnapshot(SnapshotTable snapshot)
    {
        if (ReferenceEquals(_snapshot, snapshot))
        {
            _snapshot = null;
            ResizePaused = false;
            _main.Captured = null;
            if (_target != null)
            {
                _target.Captured = null;
            }
        }
    }

    /// <summary>Captures every bucket a key with this hash could be in: one per array, two while a rehash is frozen.</summary>
    private void CaptureBucketsOf(uint hash)
    {
        CaptureBucket(_snapshot!, _main, hash & _main.Mask);
        if (_target != null && _snapshot != null)
        {
            CaptureBucket(_snapshot, _target, hash & _target.Mask);
        }
    }

    private void CaptureBeforeAdd(uint hash)
    {
        // Rehashing is frozen, so a resize that was under way when the snapshot started cannot finish and new keys
        // keep going into its target. Past the forced ratio, take the rest of the table now and let the rehash go on.
        if (_target != null && Count / _target.Entries.Length > ForcedResizeRatio)
        {
            CaptureAllAndDetach();
            return;
        }
        CaptureBucketsOf(hash);
    }

    private static void CaptureBucket(SnapshotTable snapshot, Bucket table, long index)
    {
        if (!table.MarkCaptured(index))
        {
            return;
        }
        for (Entry? e = table.Entries[index]; e != null; e = e.Next)
        {
            if (!snapshot.Capture(e))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Before entries move between buckets (a forced resize while paused, Clear): capture every bucket not captured
    /// yet, so this table needs nothing more from the snapshot, and detach.
    /// </summary>
    private void CaptureAllAndDetach()
    {
        SnapshotTable snapshot = _snapshot!;
        snapshot.CaptureRest();
        DetachSnapshot(snapshot);
    }

    /// <summary>
    /// The walker: captures not-yet-stamped buckets from the snapshot's position on, spending one unit of
    /// <paramref name="budget"/> per bucket visited and per entry captured. True when the table is done.
    /// </summary>
    internal bool CaptureNext(SnapshotTable snapshot, ref int budget)
    {
        while (budget > 0)
        {
            if (!ReferenceEquals(_snapshot, snapshot))
            {
                return true;
            }
            Bucket? table = snapshot.ArrayPosition switch
            {
                0 => _main,
                1 => _target,
                _ => null,
            };
            if (table == null)
            {
                return true;
            }
            int index = snapshot.BucketPosition;
            if (index >= table.Entries.Length)
            {
                snapshot.ArrayPosition++;
                snapshot.BucketPosition = 0;
                continue;
            }
            snapshot.BucketPosition = index + 1;
            budget--;
            PrefetchAhead(table.Entries, index);
            if (table.MarkCaptured(index))
            {
                for (Entry? e = table.Entries[index]; e != null; e = e.Next)
                {
                    budget--;
                    if (!snapshot.Capture(e))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /// <summary>Buckets this far ahead of the walk have their entry prefetched, and half as far their key's array.</summary>
    private const int PrefetchDistance = 32;

    /// <summary>
    /// The walk is memory-bound: each key is a miss on its entry and one on its array. Starting those loads a few
    /// buckets ahead overlaps them with the capture of the buckets in between (two stages, since the array's address
    /// is in the entry).
    /// </summary>
    private static void PrefetchAhead(Entry?[] entries, int index)
    {
        int far = index + PrefetchDistance;
        if (far < entries.Length)
        {
            CachePrefetch.Object(entries[far]);
            entries[index + PrefetchDistance / 2]?.PrefetchBytes();
        }
    }
}
