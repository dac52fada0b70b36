namespace Amber.Persistence.Rdb.Reading;

/// <summary>What went wrong, for callers that word it their own way (amber-check-rdb prints Redis's checker texts).</summary>
internal enum RdbLoadErrorKind
{
    /// <summary>The file ended inside a record.</summary>
    UnexpectedEof,

    /// <summary>The file does not start with "REDIS".</summary>
    WrongSignature,

    /// <summary>The version is not 1..10.</summary>
    UnsupportedVersion,

    /// <summary>The CRC64 after the EOF opcode does not match.</summary>
    Checksum,

    /// <summary>A type byte that is neither a known value type nor an opcode.</summary>
    InvalidType,

    /// <summary>A value whose bytes break its encoding's rules (sanitize-mode validation).</summary>
    Corrupt,

    /// <summary>A collection with no elements (Redis skips these on load; redis-check-rdb refuses them).</summary>
    EmptyKey,

    /// <summary>A key present twice in one database.</summary>
    DuplicateKey,

    /// <summary>Valid RDB that Amber cannot represent (streams, module values) or may not load (too many databases).</summary>
    Unsupported,

    /// <summary>The underlying stream failed.</summary>
    IoError,
}

/// <summary>What the loader was doing, named as redis-check-rdb names it ("While doing: ...").</summary>
internal enum RdbLoadPhase
{
    Start,
    ReadType,
    ReadExpire,
    ReadKey,
    ReadObjectValue,
    CheckSum,
    ReadLength,
    ReadAux,
    ReadModuleAux,
    ReadFunction,
}

/// <summary>
/// The only exception the RDB reader throws: the file, the absolute offset reached, what was being read, and the
/// key and type when inside a key record. Messages use Redis's words where Redis has them.
/// </summary>
internal sealed class RdbLoadException : Exception
{
    public RdbLoadException(RdbLoadErrorKind kind, string reason, string fileName, long offset, RdbLoadPhase phase,
        byte[]? key, int objectType, Exception? inner = null)
        : base(Describe(reason, fileName, offset, phase, key, objectType), inner)
    {
        Kind = kind;
        Reason = reason;
        FileName = fileName;
        Offset = offset;
        Phase = phase;
        Key = key;
        ObjectType = objectType;
    }

    public RdbLoadErrorKind Kind { get; }

    /// <summary>The bare reason, e.g. "Unexpected EOF reading RDB file" or "Listpack integrity check failed.".</summary>
    public string Reason { get; }

    public string FileName { get; }

    /// <summary>Bytes of the file consumed when the error was found (the start of a read that came up short).</summary>
    public long Offset { get; }

    public RdbLoadPhase Phase { get; }

    /// <summary>The key whose value was being read, when known.</summary>
    public byte[]? Key { get; }

    /// <summary>The RDB type byte of the record being read, or -1.</summary>
    public int ObjectType { get; }

    /// <summary>redis-check-rdb's name for a phase ("read-object-value").</summary>
    public static string PhaseName(RdbLoadPhase phase) => phase switch
    {
        RdbLoadPhase.Start => "start",
        RdbLoadPhase.ReadType => "read-type",
        RdbLoadPhase.ReadExpire => "read-expire",
        RdbLoadPhase.ReadKey => "read-key",
        RdbLoadPhase.ReadObjectValue => "read-object-value",
        RdbLoadPhase.CheckSum => "check-sum",
        RdbLoadPhase.ReadLength => "read-len",
        RdbLoadPhase.ReadAux => "read-aux",
        RdbLoadPhase.ReadModuleAux => "read-module-aux",
        _ => "read-function",
    };

    /// <summary>redis-check-rdb's name for a type byte ("quicklist-v2").</summary>
    public static string TypeName(int type) => type switch
    {
        0 => "string",
        1 => "list-linked",
        2 => "set-hashtable",
        3 => "zset-v1",
        4 => "hash-hashtable",
        5 => "zset-v2",
        6 => "module-pre-release",
        7 => "module-value",
        9 => "hash-zipmap",
        10 => "list-ziplist",
        11 => "set-intset",
        12 => "zset-ziplist",
        13 => "hash-ziplist",
        14 => "quicklist",
        15 => "stream",
        16 => "hash-listpack",
        17 => "zset-listpack",
        18 => "quicklist-v2",
        19 => "stream-v2",
        _ => "unknown",
    };

    private static string Describe(string reason, string fileName, long offset, RdbLoadPhase phase, byte[]? key, int objectType)
    {
        var text = new System.Text.StringBuilder();
        text.Append(reason).Append(" (file ").Append(fileName).Append(", offset ").Append(offset)
            .Append(", while doing ").Append(PhaseName(phase));
        if (key != null)
        {
            text.Append(", key ");
            Text.CRepr.AppendQuoted(text, key.AsSpan(0, Math.Min(key.Length, 128)));
        }
        if (objectType >= 0)
        {
            text.Append(", type ").Append(objectType).Append(" (").Append(TypeName(objectType)).Append(')');
        }
        return text.Append(')').ToString();
    }
}
