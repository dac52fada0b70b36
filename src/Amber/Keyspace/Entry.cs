using System.Buffers.Binary;
using System.Diagnostics;
using Amber.Text;

namespace Amber.Keyspace;

/// <summary>
/// One key in a database: its bytes, its value, its expiry, and the chain link of its bucket.
/// The key and a string value share one byte array (<see cref="Key"/>, <see cref="StringValue"/>): a string key is a
/// <see cref="StringEntry"/>; a key of any other type is an instance of its value class (HashValue, SetValue,
/// SortedSet, QuickList derive from this class), which is also its <see cref="Value"/> (null for a string).
/// </summary>
/// <remarks>
/// Every key pays for this object, so it is kept at 40 bytes on x64 for a string (16 header + 24 of fields;
/// EntryLayoutTests) and 48 for a hash, set or sorted set (+ their large structure's reference; a list is 72):
/// the full hash is not stored (the table recomputes it when rehashing, as Redis does; a 16-bit tag filters chain
/// walks), and the expiry lives in a 40-byte side object that only keys that have (or had) a time to live carry, much as Redis
/// keeps an <c>expires</c> dict. That object also carries the chain link, so a key without a TTL needs no field for it.
/// <para>
/// The byte array, one 24-byte array header for the key and a string value together (a separate array for each
/// cost 24 more), is laid out as
/// <c>varint(keyLength × 2 + spare) key value [free space, valueLength:i32 little-endian]</c>. A string that grows
/// in place (APPEND, SETRANGE, SETBIT, BITFIELD) gets free space, as Redis's sds does, so appending in a loop copies
/// the string O(log n) times instead of every time; its length is then kept in the array's last 4 bytes. Otherwise
/// the array is exactly as long as its contents and the value runs to its end. A value class keeps its small
/// encoding (listpack, intset, set or zset pack) after the key the same way (<see cref="Bytes"/>,
/// <see cref="AfterKeyStart"/>), so a small collection key is this object and one array.
/// </para>
/// </remarks>
internal abstract class Entry
{
    public const long NoExpiry = -1;

    /// <summary>Growth with free space doubles up to this, then adds this much at a time (Redis's SDS_MAX_PREALLOC).</summary>
    private const int MaxPreallocation = 1024 * 1024;

    private byte[] _bytes;

    /// <summary>The next entry of the bucket's chain or, for a key with an expiry, the <see cref="ExpiryLink"/> holding it.</summary>
    private object? _link;

    /// <summary>Last access, in seconds of the server clock (OBJECT IDLETIME).</summary>
    public uint LastAccessSeconds;

    /// <summary>Logarithmic access counter (OBJECT FREQ).</summary>
    public byte Frequency = 5;

    /// <summary>The string was modified in place (APPEND, SETRANGE, SETBIT), so Redis reports it as raw.</summary>
    public bool ForceRawEncoding;

    /// <summary>The high 16 bits of the key's hash: most non-matching keys of a chain are rejected without comparing bytes.</summary>
    public ushort HashTag { get; private set; }

    /// <summary>The array of a value not (yet) attached to a key: an empty key and nothing after it.</summary>
    private protected static readonly byte[] DetachedKey = [0];

    private protected Entry(byte[] bytes, uint hash)
    {
        HashTag = TagOf(hash);
        _bytes = bytes;
    }

    /// <summary>
    /// A value built without a key (a command's new hash, the RDB loader, RESTORE, COPY's clone): the key is empty
    /// until <see cref="Create"/> attaches it. <paramref name="bytes"/> holds an empty key's header (one 0 byte) and
    /// whatever the value class keeps after the key.
    /// </summary>
    private protected Entry(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>
    /// A key holding <paramref name="value"/>: a <c>byte[]</c> is a string (its bytes are copied); any other value
    /// class is itself the entry (a detached one, see <see cref="Entry(byte[])"/>), which gets the key and is returned.
    /// </summary>
    public static Entry Create(ReadOnlySpan<byte> key, uint hash, object value) =>
        value is byte[] s ? new StringEntry(Pack(key, s), hash) : ((Entry)value).Attach(key, hash);

    /// <summary>
    /// Gives a detached value its key: a new array of the key and what this value keeps after its (empty) key. The
    /// old array is left as it was (a new one every time), so an entry copied by <see cref="Detached"/> never writes
    /// into its source's array.
    /// </summary>
    private Entry Attach(ReadOnlySpan<byte> key, uint hash)
    {
        Debug.Assert(this is not StringEntry && _link == null, "only a detached value gets a key");
        _bytes = Pack(key, AfterKey);
        HashTag = TagOf(hash);
        return this;
    }

    /// <summary>
    /// A detached copy of this typed entry sharing its value's structures (RENAME, MOVE: the source key is deleted
    /// right after, so the value object never sits in two buckets; the source stays intact for a running snapshot).
    /// </summary>
    internal Entry Detached()
    {
        Debug.Assert(this is not StringEntry);
        var copy = (Entry)MemberwiseClone();
        copy._link = null;
        return copy;
    }

    /// <summary>
    /// The key's array, for a value class that keeps its compact encoding after the key (a listpack hash...): it
    /// reads from <see cref="AfterKeyStart"/> to the end and stores back the array a change returns, key bytes kept.
    /// </summary>
    private protected byte[] Bytes
    {
        get => _bytes;
        set => _bytes = value;
    }

    /// <summary>Where the bytes after the key start in <see cref="Bytes"/>.</summary>
    private protected int AfterKeyStart
    {
        get
        {
            byte[] b = _bytes;
            uint header = b[0];
            if (header < 0x80)
            {
                return 1 + (int)(header >> 1);
            }
            header = ReadHeader(b, out int start);
            return start + (int)(header >> 1);
        }
    }

    /// <summary>
    /// Drops what follows the key (a value class whose compact encoding gave way to a large structure). An empty key
    /// (a detached value) shares <see cref="DetachedKey"/>: a key-only array is never written.
    /// </summary>
    private protected void DropAfterKey() => _bytes = _bytes[0] == 0 ? DetachedKey : Pack(Key, default);

    /// <summary>
    /// An array for a detached value (<see cref="Entry(byte[])"/>): the empty key's header and
    /// <paramref name="afterKey"/> bytes after it (zero), which start at offset 1.
    /// </summary>
    private protected static byte[] DetachedArray(int afterKey) => new byte[1 + afterKey];

    /// <summary>An array for a detached value holding a copy of <paramref name="afterKey"/> after the empty key (COPY's clones).</summary>
    private protected static byte[] DetachedCopy(ReadOnlySpan<byte> afterKey)
    {
        byte[] bytes = DetachedArray(afterKey.Length);
        afterKey.CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>What the array holds after the key: a string's value (and spare room), a value class's compact encoding.</summary>
    private protected ReadOnlySpan<byte> AfterKey => _bytes.AsSpan(AfterKeyStart);

    /// <summary>A key holding the string <paramref name="value"/> (copied into the key's array).</summary>
    public static Entry ForString(ReadOnlySpan<byte> key, uint hash, ReadOnlySpan<byte> value) => new StringEntry(Pack(key, value), hash);

    public static ushort TagOf(uint hash) => (ushort)(hash >> 16);

    /// <summary>Starts loading the key's byte array into the cache (<see cref="CachePrefetch"/>).</summary>
    internal void PrefetchBytes() => CachePrefetch.Object(_bytes);

    /// <summary>
    /// For a collection in its large encoding, starts loading step <paramref name="stage"/> (0, 1, 2: bucket, node,
    /// member bytes) of the lookup of a member whose hash (<see cref="KeyHash.Of"/>) is <paramref name="memberHash"/>;
    /// each step reads what the one before loaded. A hint (Server/BatchPrefetch): it changes nothing.
    /// </summary>
    internal virtual void PrefetchMember(uint memberHash, int stage)
    {
    }

    /// <summary>The key's hash, recomputed (only rehashing and tests need it: lookups bring their own).</summary>
    public uint Hash => KeyHash.Of(Key);

    public ReadOnlySpan<byte> Key
    {
        get
        {
            byte[] b = _bytes;
            uint header = b[0];
            if (header < 0x80)
            {
                return new ReadOnlySpan<byte>(b, 1, (int)(header >> 1));
            }
            header = ReadHeader(b, out int start);
            return new ReadOnlySpan<byte>(b, start, (int)(header >> 1));
        }
    }

    /// <summary>
    /// The value if it is not a string: the entry itself, an instance of its value class (a list, hash, set, sorted
    /// set...); null for a string (<see cref="StringValue"/>).
    /// </summary>
    public object? Value => this is StringEntry ? null : this;

    public bool IsString => this is StringEntry;

    /// <summary>The string value; empty when the value is not a string. Valid until the value is next changed.</summary>
    public ReadOnlySpan<byte> StringValue => this is StringEntry ? WritableString : default;

    public int StringLength => StringValue.Length;

    /// <summary>The string value, to modify in place (after <see cref="GrowString"/> when it must get longer).</summary>
    public Span<byte> WritableString
    {
        get
        {
            byte[] b = _bytes;
            uint header = ReadHeader(b, out int start);
            start += (int)(header >> 1);
            int length = (header & 1) == 0 ? b.Length - start : BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(b.Length - 4));
            return new Span<byte>(b, start, length);
        }
    }

    /// <summary>
    /// Replaces a string value by <paramref name="value"/> (copied), in place when it has the same length. Only for a
    /// string key: a key changes type by getting a new entry (<see cref="Database.Set"/>).
    /// </summary>
    public void SetString(ReadOnlySpan<byte> value)
    {
        Debug.Assert(IsString);
        byte[] b = _bytes;
        uint header = ReadHeader(b, out int start);
        start += (int)(header >> 1);
        if ((header & 1) == 0 && b.Length - start == value.Length)
        {
            value.CopyTo(b.AsSpan(start));
            return;
        }
        _bytes = Pack(Key, value);
    }

    /// <summary>
    /// Lengthens the string value to <paramref name="length"/> bytes (the new ones zero) keeping free space for
    /// further growth, as Redis's sdsMakeRoomFor does; returns the whole value to modify. A string longer than
    /// <paramref name="length"/> is left as it is.
    /// </summary>
    public Span<byte> GrowString(int length)
    {
        Debug.Assert(IsString);
        byte[] b = _bytes;
        uint header = ReadHeader(b, out int keyStart);
        int keyLength = (int)(header >> 1);
        int start = keyStart + keyLength;
        bool spare = (header & 1) != 0;
        int current = spare ? BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(b.Length - 4)) : b.Length - start;
        if (length <= current)
        {
            return new Span<byte>(b, start, current);
        }
        int capacity = spare ? b.Length - start - 4 : current;
        if (length > capacity)
        {
            long wanted = length < MaxPreallocation ? (long)length * 2 : (long)length + MaxPreallocation;
            int headerSize = Varint.Size((uint)keyLength * 2 + 1);
            long needed = headerSize + keyLength + (long)length + 4;
            long total = Math.Max(needed, Math.Min(needed - length + wanted, Array.MaxLength));
            byte[] grown = new byte[total];
            int at = Varint.Write(grown, 0, (uint)keyLength * 2 + 1);
            b.AsSpan(keyStart, keyLength).CopyTo(grown.AsSpan(at));
            b.AsSpan(start, current).CopyTo(grown.AsSpan(at + keyLength));
            b = grown;
            start = at + keyLength;
            _bytes = b;
        }
        else
        {
            // Free space is zero when allocated and strings never shrink in place, but a reused tail stays defined.
            b.AsSpan(start + current, length - current).Clear();
        }
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(b.Length - 4), length);
        return new Span<byte>(b, start, length);
    }

    private static byte[] Pack(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        uint header = (uint)key.Length * 2;
        var b = GC.AllocateUninitializedArray<byte>(Varint.Size(header) + key.Length + value.Length);
        int at = Varint.Write(b, 0, header);
        key.CopyTo(b.AsSpan(at));
        value.CopyTo(b.AsSpan(at + key.Length));
        return b;
    }

    private static uint ReadHeader(byte[] b, out int end)
    {
        end = 0;
        return (uint)Varint.Read(b, ref end);
    }

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

/// <summary>A string key: its value is in the key's array (<see cref="Entry.StringValue"/>).</summary>
internal sealed class StringEntry : Entry
{
    internal StringEntry(byte[] bytes, uint hash)
        : base(bytes, hash)
    {
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
