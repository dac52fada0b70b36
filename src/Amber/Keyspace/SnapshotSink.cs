using System.Buffers;

namespace Amber.Keyspace;

/// <summary>
/// Turns captured keys into bytes (the RDB writer, a test recorder). Every call runs under the keyspace lock, on
/// whichever thread captured: the snapshot's walker, or a client whose command touched a bucket not captured yet.
/// Write everything into <c>output</c> before returning: the caller changes the entry right after.
/// A sink that throws aborts the snapshot; the command that triggered the capture goes on unaffected.
/// </summary>
internal interface ISnapshotSink
{
    /// <summary>Once, from <see cref="KeyspaceSnapshot.Start"/>, before any key: e.g. the RDB header and aux fields.</summary>
    void Begin(IBufferWriter<byte> output);

    /// <summary>
    /// The keys that follow belong to <paramref name="database"/>. Captures arrive in no particular database order,
    /// so this is called again whenever the database changes from one captured key to the next (RDB: SELECTDB again).
    /// </summary>
    void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output);

    /// <summary>One key as it is now: key, value, expiry (and access metadata if the format keeps it).</summary>
    void WriteEntry(Entry entry, IBufferWriter<byte> output);

    /// <summary>Once, after the last key (e.g. the EOF opcode; a checksum over the whole stream is the consumer's).</summary>
    void End(IBufferWriter<byte> output);
}

/// <summary>
/// A database as the snapshot saw it at its start. <paramref name="FirstVisit"/> is true the first time the stream
/// switches to it (an RDB writer may add RESIZEDB with the sizes then).
/// </summary>
internal readonly record struct SnapshotDatabase(int Index, long KeysAtStart, long VolatileKeysAtStart, bool FirstVisit);
