using System.Buffers;

namespace Amber.Keyspace;

/// <summary>
/// Turns captured keys into bytes (the RDB writer, a test recorder). Two sides, which may run at the same time, so an
/// implementation keeps their state apart:
/// <list type="bullet">
/// <item><see cref="WriteEntry"/> runs under the keyspace lock at capture time, on whichever thread captured (the
/// walker, or a client whose command touched a bucket not captured yet), for values that may change in place later
/// (collections): it must write everything into <c>output</c> before returning, since the entry may change right after.</item>
/// <item><see cref="Begin"/>, <see cref="SelectDatabase"/>, <see cref="WriteString"/> and <see cref="End"/> run on the
/// snapshot's consumer thread, outside the lock, in stream order. Strings are captured as a copy of their bytes
/// (cheap under the lock) and encoded here, where the expensive part (integer detection, LZF) competes with nobody
/// for the lock.</item>
/// </list>
/// A sink that throws aborts the snapshot; the command that triggered a capture goes on unaffected.
/// </summary>
internal interface ISnapshotSink
{
    /// <summary>Once, before any key: e.g. the RDB header and aux fields.</summary>
    void Begin(IBufferWriter<byte> output);

    /// <summary>
    /// The keys that follow belong to <paramref name="database"/>. Captures arrive in no particular database order,
    /// so this is called again whenever the database changes from one captured key to the next (RDB: SELECTDB again).
    /// </summary>
    void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output);

    /// <summary>
    /// Under the lock: one key whose value is not a string, as it is now (key, value, expiry and access metadata if
    /// the format keeps it). Its bytes are later copied into the stream as they are.
    /// </summary>
    void WriteEntry(Entry entry, IBufferWriter<byte> output);

    /// <summary>On the consumer: one string key, from the copy taken when it was captured.</summary>
    void WriteString(in CapturedString entry, IBufferWriter<byte> output);

    /// <summary>Once, after the last key (e.g. the EOF opcode; a checksum over the whole stream is the consumer's).</summary>
    void End(IBufferWriter<byte> output);
}

/// <summary>
/// A database as the snapshot saw it at its start. <paramref name="FirstVisit"/> is true the first time the stream
/// switches to it (an RDB writer may add RESIZEDB with the sizes then).
/// </summary>
internal readonly record struct SnapshotDatabase(int Index, long KeysAtStart, long VolatileKeysAtStart, bool FirstVisit);

/// <summary>A string key as it was captured: copies of its bytes, its expiry and its access metadata then.</summary>
internal readonly ref struct CapturedString
{
    public CapturedString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs, uint lastAccessSeconds, byte frequency)
    {
        Key = key;
        Value = value;
        ExpireAtMs = expireAtMs;
        LastAccessSeconds = lastAccessSeconds;
        Frequency = frequency;
    }

    public ReadOnlySpan<byte> Key { get; }
    public ReadOnlySpan<byte> Value { get; }
    public long ExpireAtMs { get; }

    /// <summary><see cref="Entry.LastAccessSeconds"/> at capture.</summary>
    public uint LastAccessSeconds { get; }

    /// <summary><see cref="Entry.Frequency"/> at capture.</summary>
    public byte Frequency { get; }
}
