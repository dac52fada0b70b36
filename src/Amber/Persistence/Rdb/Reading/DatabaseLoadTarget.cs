using Amber.Keyspace;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Puts loaded keys into <see cref="Database"/> objects: usually fresh ones from <see cref="CreateDatabases"/>, swapped
/// in by the caller only when the whole load succeeded. Keys are added without keyspace events (loading is not a
/// client write: no "new" notifications, no blocked-client wake-ups), with their expiry and LRU/LFU state.
/// </summary>
internal sealed class DatabaseLoadTarget : IRdbLoadTarget
{
    private readonly Database[] _databases;
    private readonly bool _replaceExisting;
    private readonly bool _lfu;
    private readonly uint _nowSeconds;

    /// <param name="databases">Where keys go, by index.</param>
    /// <param name="replaceExisting">A key already present is replaced (DEBUG RELOAD MERGE) instead of failing the load.</param>
    /// <param name="maxMemoryPolicy">The server's policy: FREQ applies under an LFU policy, IDLE under any other (as Redis).</param>
    /// <param name="nowMs">The clock IDLE is counted back from.</param>
    public DatabaseLoadTarget(Database[] databases, bool replaceExisting, string maxMemoryPolicy, long nowMs)
    {
        _databases = databases;
        _replaceExisting = replaceExisting;
        _lfu = AccessTracking.IsLfu(maxMemoryPolicy);
        _nowSeconds = AccessTracking.Seconds(nowMs);
    }

    /// <summary>Empty databases to load into, wired to the server's keyspace events for use once swapped in.</summary>
    public static Database[] CreateDatabases(int count, KeyspaceEvents events)
    {
        var databases = new Database[count];
        for (int i = 0; i < count; i++)
        {
            databases[i] = new Database(i, events);
        }
        return databases;
    }

    public void OnAuxField(byte[] key, byte[] value, long offset)
    {
    }

    private int _selectedDb;

    public void OnSelectDb(int db, long offset) => _selectedDb = db;

    public void OnResizeDb(long dbSize, long expiresSize) => _databases[_selectedDb].Table.Reserve(dbSize);

    public bool OnKey(in RdbKeyRecord record)
    {
        Database db = _databases[record.Db];
        uint hash = record.Hash;
        if (db.Table.Find(record.Key, hash) != null)
        {
            if (!_replaceExisting)
            {
                return false;
            }
            db.Delete(record.Key);
        }
        // The loader hands over entries with their keys (RdbLoader.ReadKeyRecord); a bare value gets its key here.
        Entry entry = record.Value is Entry e && e.Key.SequenceEqual(record.Key) ? e : Entry.Create(record.Key, hash, record.Value);
        entry.LastAccessSeconds = _nowSeconds;
        ApplyAccessState(entry, record.IdleSeconds, record.Frequency, _lfu, _nowSeconds);
        db.Table.Add(entry, hash);
        if (record.ExpireAtMs != -1)
        {
            db.SetExpiry(entry, record.ExpireAtMs);
        }
        return true;
    }

    /// <summary>
    /// Redis's objectSetLRUOrLFU: under an LFU policy a given FREQ becomes the counter (decay clock now); otherwise a
    /// given IDLE sets the last access that many seconds back. RESTORE's IDLETIME/FREQ use the same rule.
    /// </summary>
    public static void ApplyAccessState(Entry entry, long idleSeconds, int frequency, bool lfu, uint nowSeconds)
    {
        if (lfu)
        {
            if (frequency >= 0)
            {
                entry.Frequency = (byte)Math.Min(frequency, 255);
                entry.LastAccessSeconds = nowSeconds;
            }
        }
        else if (idleSeconds >= 0)
        {
            entry.LastAccessSeconds = idleSeconds >= nowSeconds ? 0 : nowSeconds - (uint)idleSeconds;
        }
    }
}
