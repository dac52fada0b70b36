namespace Amber.Keyspace;

/// <summary>
/// One key in a database: its bytes, its value, its expiry, and the chain link of its bucket.
/// A string value is stored as its raw <c>byte[]</c>; other types are their own classes.
/// </summary>
internal sealed class Entry(byte[] key, uint hash, object value)
{
    public const long NoExpiry = -1;

    public readonly byte[] Key = key;
    public readonly uint Hash = hash;
    public object Value = value;
    public long ExpireAtMs = NoExpiry;
    public Entry? Next;

    /// <summary>Position in the database's volatile-key array, for O(1) removal and random sampling; -1 when none.</summary>
    public int VolatileIndex = -1;

    /// <summary>Last access, in seconds of the server clock (OBJECT IDLETIME).</summary>
    public uint LastAccessSeconds;

    /// <summary>Logarithmic access counter (OBJECT FREQ).</summary>
    public byte Frequency = 5;

    /// <summary>The string was modified in place (APPEND, SETRANGE, SETBIT), so Redis reports it as raw.</summary>
    public bool ForceRawEncoding;

    public bool HasExpiry => ExpireAtMs != NoExpiry;
}
