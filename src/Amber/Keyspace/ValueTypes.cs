using Amber.Commands;

namespace Amber.Keyspace;

/// <summary>The data types a key can hold, as TYPE and SCAN TYPE name them.</summary>
internal enum KeyType
{
    None = 0,
    String = 1,
    List = 2,
    Set = 3,
    ZSet = 4,
    Hash = 5,
    Stream = 6,
}

/// <summary>
/// Implemented by every value class other than strings (a string lives in its key's entry, <see cref="Entry.StringValue"/>), so the generic key commands
/// (TYPE, SCAN TYPE, OBJECT ENCODING, COPY) work for types added later without changes here.
/// </summary>
internal interface ITypedValue
{
    KeyType Type { get; }

    /// <summary>The encoding OBJECT ENCODING reports now ("listpack", "hashtable", "quicklist", "intset", "skiplist" ...).</summary>
    string Encoding { get; }

    /// <summary>A deep copy that shares nothing mutable with this value (COPY).</summary>
    ITypedValue Clone();
}

/// <summary>Type and encoding names of stored values.</summary>
internal static class ValueTypes
{
    /// <summary>Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to this length are "embstr", longer ones "raw".</summary>
    public const int EmbstrSizeLimit = 44;

    /// <summary>Redis's OBJ_SHARED_INTEGERS: integers below this are shared objects (OBJECT REFCOUNT reports them as such).</summary>
    public const long SharedIntegers = 10000;

    /// <summary>Redis's OBJ_SHARED_REFCOUNT.</summary>
    public const long SharedRefCount = int.MaxValue;

    public static KeyType TypeOf(object value) => value switch
    {
        byte[] => KeyType.String,
        ITypedValue v => v.Type,
        _ => throw new InvalidOperationException($"unknown value class {value.GetType().Name}"),
    };

    /// <summary>The name TYPE replies with.</summary>
    public static ReadOnlySpan<byte> TypeName(KeyType type) => type switch
    {
        KeyType.String => "string"u8,
        KeyType.List => "list"u8,
        KeyType.Set => "set"u8,
        KeyType.ZSet => "zset"u8,
        KeyType.Hash => "hash"u8,
        KeyType.Stream => "stream"u8,
        _ => "none"u8,
    };

    public static ReadOnlySpan<byte> TypeName(object? value) => value == null ? "none"u8 : TypeName(TypeOf(value));

    /// <summary>The type of a key's value (a string is held in the entry itself, <see cref="Entry.StringValue"/>).</summary>
    public static KeyType TypeOf(Entry entry) => entry.Value is { } typed ? TypeOf(typed) : KeyType.String;

    /// <summary>The name TYPE replies with for a key, "none" when it is missing.</summary>
    public static ReadOnlySpan<byte> TypeName(Entry? entry) => entry == null ? "none"u8 : TypeName(TypeOf(entry));

    /// <summary>The encoding OBJECT ENCODING replies with.</summary>
    public static string EncodingName(Entry entry) => entry.Value switch
    {
        null => StringEncoding(entry.StringValue, entry.ForceRawEncoding),
        ITypedValue v => v.Encoding,
        _ => "unknown",
    };

    /// <summary>
    /// How Redis stores a string set by SET and friends: "int" when it is a canonical 64-bit integer, "embstr" up to
    /// 44 bytes, "raw" otherwise or after an in-place change (APPEND, SETRANGE, SETBIT).
    /// </summary>
    public static string StringEncoding(ReadOnlySpan<byte> value, bool forceRaw)
    {
        if (forceRaw)
        {
            return "raw";
        }
        if (value.Length <= 20 && CommandContext.TryParseLong(value, out _))
        {
            return "int";
        }
        return value.Length <= EmbstrSizeLimit ? "embstr" : "raw";
    }

    /// <summary>
    /// OBJECT REFCOUNT: Redis shares the objects for integers 0..9999 unless an LRU/LFU maxmemory policy is active
    /// with a memory limit (every key then needs its own access clock).
    /// </summary>
    public static long RefCount(Entry entry, long maxMemory, string maxMemoryPolicy)
    {
        if (entry.IsString && !entry.ForceRawEncoding && entry.StringLength <= 20 &&
            CommandContext.TryParseLong(entry.StringValue, out long n) && n >= 0 && n < SharedIntegers &&
            (maxMemory == 0 || !AccessTracking.NeedsPrivateClock(maxMemoryPolicy)))
        {
            return SharedRefCount;
        }
        return 1;
    }

    /// <summary>A copy of a value for COPY: strings are duplicated, other types deep-cloned.</summary>
    public static object Clone(object value) => value switch
    {
        byte[] s => s.AsSpan().ToArray(),
        ITypedValue v => v.Clone(),
        _ => throw new InvalidOperationException($"unknown value class {value.GetType().Name}"),
    };
}
