namespace Amber.Keyspace;

/// <summary>
/// One key in a database: its bytes, its value, its expiry, and the chain link of its bucket.
/// A string value is stored as its raw <c>byte[]</c>; other types are their own classes.
/// </summary>
/// <remarks>
/// Every key pays for this object, so it is kept at 48 bytes on x64 (16 header + 32 of fields; EntryLayoutTests):
/// the full hash is not stored (the table recomputes it when rehashing, as Redis does; a 16-bit tag filters chain
/// walks), and the expiry lives in a 40-byte side object that only keys that have (or had) a time to live carry, much as Redis
/// keeps an <c>expires</c> dict. That object also carries the chain link, so a key without a TTL needs no field for it.
/// </remarks>
internal sealed class Entry(byte[] key, uint hash, object value)
{
    public const long NoExpiry = -1;

    public readonly byte[] Key = key;
    public object Value = value;

    /// <summary>The next entry of the bucket's chain or, for a key with an expiry, the <see cref="ExpiryLink"/> holding it.</summary>
    private object? _link;

    /// <summary>Last access, in seconds of the server clock (OBJECT IDLETIME).</summary>
    public uint LastAccessSeconds;

    /// <summary>Logarithmic access counter (OBJECT FREQ).</summary>
    public byte Frequency = 5;

    /// <summary>The string was modified in place (APPEND, SETRANGE, SETBIT), so Redis reports it as raw.</summary>
    public bool ForceRawEncoding;

    /// <summary>The high 16 bits of the key's hash: most non-matching keys of a chain are rejected without comparing bytes.</summary>
    public readonly ushort HashTag = TagOf(hash);

    public static ushort TagOf(uint hash) => (ushort)(hash >> 16);

    /// <summary>The key's hash, recomputed (only rehashing and tests need it: lookups bring their own).</summary>
    public uint Hash => KeyHash.Of(Key);

    public Entry? Next
    {
        get => _link is ExpiryLink x ? x.Next : (Entry?)_link;
        set
        {
            if (_link is ExpiryLink x)
            {
                x.Next = value;
            }
            else
            {
                _link = value;
            }
        }
    }

    /// <summary>Absolute Unix time in ms at which the key expires, or <see cref="NoExpiry"/>. Set through <see cref="Database.SetExpiry"/>.</summary>
    public long ExpireAtMs => _link is ExpiryLink x ? x.ExpireAtMs : NoExpiry;

    public bool HasExpiry => ExpireAtMs != NoExpiry;

    /// <summary>Position in the database's volatile-key array, for O(1) removal and random sampling; -1 when none.</summary>
    public int VolatileIndex => _link is ExpiryLink x ? x.VolatileIndex : -1;

    /// <summary>The expiry side object, created on first use (Database only).</summary>
    internal ExpiryLink Expiry
    {
        get
        {
            if (_link is ExpiryLink x)
            {
                return x;
            }
            x = new ExpiryLink { Next = (Entry?)_link };
            _link = x;
            return x;
        }
    }
}

/// <summary>What only keys with a time to live carry (see <see cref="Entry"/>): the expiry, the place in the
/// database's volatile-key array, and the entry's chain link.</summary>
internal sealed class ExpiryLink
{
    public long ExpireAtMs = Entry.NoExpiry;
    public int VolatileIndex = -1;
    public Entry? Next;
}
