namespace Amber.Persistence.Rdb;

/// <summary>
/// Bytes of Redis's RDB format as 7.0 writes and reads it (../docs/formats/rdb.md, redis-persistence-spec §1).
/// Values are persisted: never renumber them.
/// </summary>
internal static class RdbFormat
{
    /// <summary>The version Amber writes: Redis 7.0's. Files with a higher version are refused.</summary>
    public const int Version = 10;

    public static ReadOnlySpan<byte> Magic => "REDIS"u8;

    /// <summary>Length-encoding prefixes (top two bits of the first byte).</summary>
    public const byte Len6Bit = 0x00;
    public const byte Len14Bit = 0x40;
    public const byte Len32Bit = 0x80;
    public const byte Len64Bit = 0x81;
    public const byte LenEncoded = 0xC0;

    /// <summary>Special string encodings, the low six bits after <see cref="LenEncoded"/>.</summary>
    public const byte EncodingInt8 = 0;
    public const byte EncodingInt16 = 1;
    public const byte EncodingInt32 = 2;
    public const byte EncodingLzf = 3;

    /// <summary>Quicklist 2 node containers.</summary>
    public const int QuicklistNodePlain = 1;
    public const int QuicklistNodePacked = 2;
}

/// <summary>Record opcodes: the byte that precedes a non-key record.</summary>
internal enum RdbOpcode : byte
{
    Function2 = 245,
    Function = 246,
    ModuleAux = 247,
    Idle = 248,
    Freq = 249,
    Aux = 250,
    ResizeDb = 251,
    ExpireTimeMs = 252,
    ExpireTime = 253,
    SelectDb = 254,
    Eof = 255,
}

/// <summary>Object type bytes. 7.0 writes String, Set, Hash, ZSet2, SetIntSet, HashListPack, ZSetListPack, ListQuicklist2.</summary>
internal enum RdbType : byte
{
    String = 0,
    List = 1,
    Set = 2,
    ZSet = 3,
    Hash = 4,
    ZSet2 = 5,
    Module = 6,
    Module2 = 7,
    HashZipMap = 9,
    ListZipList = 10,
    SetIntSet = 11,
    ZSetZipList = 12,
    HashZipList = 13,
    ListQuicklist = 14,
    StreamListPacks = 15,
    HashListPack = 16,
    ZSetListPack = 17,
    ListQuicklist2 = 18,
    StreamListPacks2 = 19,
}
