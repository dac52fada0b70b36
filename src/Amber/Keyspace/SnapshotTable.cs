namespace Amber.Keyspace;

/// <summary>
/// One key table a snapshot captures, with the database number the table had when the snapshot started. The
/// snapshot holds the table object itself, not the database: FLUSHDB/FLUSHALL give a database a new table and SWAPDB
/// exchanges tables, and either way the captured table still holds (or hands over before changing) exactly the keys
/// that database had at the start.
/// </summary>
internal sealed class SnapshotTable(KeyspaceSnapshot owner, KeyTable table, int dbIndex, long version)
{
    public KeyTable Table { get; } = table;

    /// <summary>The database this table was at the start.</summary>
    public int DbIndex { get; } = dbIndex;

    /// <summary>Buckets stamped with this version or later are captured.</summary>
    public long Version { get; } = version;

    /// <summary>The walker's position: 0 the main bucket array, 1 the rehash target, 2 done.</summary>
    public int ArrayPosition;

    public int BucketPosition;

    /// <summary>Whether this table still needs the walker (false once fully captured, detached or aborted).</summary>
    public bool IsCapturing => Table.IsCapturing;

    /// <summary>Hands one entry to the snapshot's sink; false if the snapshot has been aborted (stop capturing).</summary>
    public bool Capture(Entry entry) => owner.Capture(this, entry);

    /// <summary>Captures every bucket not captured yet (before a forced resize or a clear).</summary>
    public void CaptureRest()
    {
        int budget;
        do
        {
            budget = int.MaxValue;
        }
        while (!Table.CaptureNext(this, ref budget));
    }

    /// <summary>Walks on from the current position; true when the table is done.</summary>
    public bool CaptureSome(ref int budget) => Table.CaptureNext(this, ref budget);

    public void Detach() => Table.DetachSnapshot(this);
}
