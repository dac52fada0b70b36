namespace Amber.Persistence.Rdb.Reading;

/// <summary>One key as read from the file: its value already built as Amber's value class.</summary>
internal readonly struct RdbKeyRecord(int db, byte[] key, uint hash, object value, long expireAtMs, long idleSeconds, int frequency)
{
    public int Db { get; } = db;
    public byte[] Key { get; } = key;

    /// <summary>The key's <see cref="Keyspace.KeyHash"/>, computed once by the reader.</summary>
    public uint Hash { get; } = hash;

    /// <summary>
    /// The key's entry: a HashValue, SetValue, SortedSet or QuickList with the key attached
    /// (<see cref="Keyspace.Entry.Create"/>), or a <see cref="Keyspace.StringEntry"/> (key and value already in one
    /// array, see RdbValueReader.ReadStringEntry).
    /// </summary>
    public object Value { get; } = value;

    /// <summary>Absolute Unix ms, or -1 when the key does not expire.</summary>
    public long ExpireAtMs { get; } = expireAtMs;

    /// <summary>LRU idle seconds from an IDLE opcode, or -1.</summary>
    public long IdleSeconds { get; } = idleSeconds;

    /// <summary>LFU counter from a FREQ opcode, or -1.</summary>
    public int Frequency { get; } = frequency;
}

/// <summary>Where <see cref="RdbLoader"/> puts what it reads, in file order.</summary>
internal interface IRdbLoadTarget
{
    /// <summary>An AUX field; <paramref name="offset"/> is the file offset after it.</summary>
    void OnAuxField(byte[] key, byte[] value, long offset);

    /// <summary>A SELECTDB (already checked against the number of databases).</summary>
    void OnSelectDb(int db, long offset);

    /// <summary>A RESIZEDB hint (sizes of the current database's tables; never validated).</summary>
    void OnResizeDb(long dbSize, long expiresSize);

    /// <summary>A key to add. Returns false when the database already holds the key (the load then fails).</summary>
    bool OnKey(in RdbKeyRecord record);
}
