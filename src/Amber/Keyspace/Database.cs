namespace Amber.Keyspace;

/// <summary>
/// One numbered database: the key table, the set of keys with a time to live, and expiry on access.
/// Every method runs under the server's keyspace lock.
/// </summary>
internal sealed class Database(int index, KeyspaceEvents events)
{
    private readonly List<Entry> _volatile = [];
    private KeyTable _table = new();

    /// <summary>The clock of the latest lookup, in Unix seconds: the access time given to keys added after it.</summary>
    private uint _clockSeconds;

    public int Index { get; private set; } = index;
    public int Count => _table.Count;
    public int VolatileCount => _volatile.Count;
    internal KeyTable Table => _table;

    /// <summary>
    /// Finds a live key; a key whose time has passed is deleted now (lazy expiry) and reported absent.
    /// Counts as an access (OBJECT IDLETIME, LFU counter).
    /// </summary>
    public Entry? Find(ReadOnlySpan<byte> key, long nowMs)
    {
        Entry? e = Peek(key, nowMs);
        if (e != null)
        {
            if (events.TrackFrequency)
            {
                AccessTracking.CountAccess(e, _clockSeconds, events.Random);
            }
            else
            {
                e.LastAccessSeconds = _clockSeconds;
            }
        }
        return e;
    }

    /// <summary>
    /// Like <see cref="Find"/> (expires the key if its time has passed) but not counted as an access:
    /// Redis's LOOKUP_NOTOUCH, used by TTL, TYPE, EXISTS and OBJECT.
    /// </summary>
    public Entry? Peek(ReadOnlySpan<byte> key, long nowMs)
    {
        _clockSeconds = AccessTracking.Seconds(nowMs);
        uint hash = KeyHash.Of(key);
        Entry? e = _table.Find(key, hash);
        if (e != null && e.ExpireAtMs != Entry.NoExpiry && e.ExpireAtMs <= nowMs && !events.SuppressExpiry)
        {
            ExpireNow(e);
            return null;
        }
        return e;
    }

    /// <summary>Finds a key without expiring it (for paths that must not change the dataset, e.g. DEBUG OBJECT on a replica).</summary>
    public Entry? FindRaw(ReadOnlySpan<byte> key) => _table.Find(key, KeyHash.Of(key));

    /// <summary>Adds a key known to be absent (call <see cref="Find"/> first); a <c>byte[]</c> value is a string (copied).</summary>
    public Entry Add(ReadOnlySpan<byte> key, object value)
    {
        uint hash = KeyHash.Of(key);
        return Added(Entry.Create(key, hash, value), hash);
    }

    /// <summary>Adds a string key known to be absent (call <see cref="Find"/> first); key and value are copied.</summary>
    public Entry AddString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        uint hash = KeyHash.Of(key);
        return Added(Entry.ForString(key, hash, value), hash);
    }

    /// <summary>
    /// Adds a key known to be absent holding <paramref name="source"/>'s value (MOVE, RENAME): a string is copied,
    /// any other value is a new entry sharing the source's structures, so the source must be deleted.
    /// </summary>
    public Entry AddValueOf(ReadOnlySpan<byte> key, Entry source) =>
        source.IsString ? AddString(key, source.StringValue) : Add(key, source.Detached());

    private Entry Added(Entry e, uint hash)
    {
        e.LastAccessSeconds = _clockSeconds != 0 ? _clockSeconds : AccessTracking.Seconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _table.Add(e, hash);
        events.OnKeyAdded(this, e);
        return e;
    }

    /// <summary>Sets a key to a value, replacing any old value; the old time to live is dropped unless <paramref name="keepTtl"/>.</summary>
    public Entry Set(ReadOnlySpan<byte> key, object value, long nowMs, bool keepTtl = false)
    {
        if (value is byte[] s)
        {
            return SetString(key, s, nowMs, keepTtl);
        }
        Entry? e = Find(key, nowMs);
        if (e == null)
        {
            return Add(key, value);
        }
        if (!ReferenceEquals(e, value))
        {
            // The value is an entry of its own (Entry.Create): it takes the old entry's place in the bucket.
            uint hash = KeyHash.Of(key);
            e = Replace(e, Entry.Create(key, hash, value), hash);
        }
        return Overwritten(e, keepTtl);
    }

    /// <summary>Like <see cref="Set"/> for a string (copied; overwritten in place when it has the old one's length).</summary>
    public Entry SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long nowMs, bool keepTtl = false)
    {
        Entry? e = Find(key, nowMs);
        if (e == null)
        {
            return AddString(key, value);
        }
        if (e.IsString)
        {
            e.SetString(value);
        }
        else
        {
            uint hash = KeyHash.Of(key);
            e = Replace(e, Entry.ForString(key, hash, value), hash);
        }
        return Overwritten(e, keepTtl);
    }

    /// <summary>What SET and its kin do to a key they overwrite: plain encoding again, and no TTL unless kept.</summary>
    private Entry Overwritten(Entry e, bool keepTtl)
    {
        e.ForceRawEncoding = false;
        if (!keepTtl)
        {
            RemoveExpiry(e);
        }
        return e;
    }

    /// <summary>
    /// A key getting a value of another class (or another value object) gets a new entry in the old one's place,
    /// keeping its access state and expiry (no key-added event: the key existed).
    /// </summary>
    private Entry Replace(Entry old, Entry fresh, uint hash)
    {
        _table.Remove(old.Key, hash);
        fresh.LastAccessSeconds = old.LastAccessSeconds;
        fresh.Frequency = old.Frequency;
        _table.Add(fresh, hash);
        int i = old.VolatileIndex;
        if (i >= 0)
        {
            ExpiryLink expiry = fresh.Expiry;
            expiry.ExpireAtMs = old.ExpireAtMs;
            expiry.VolatileIndex = i;
            _volatile[i] = fresh;
            old.Expiry.VolatileIndex = -1;
        }
        return fresh;
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        Entry? e = _table.Remove(key, KeyHash.Of(key));
        if (e == null)
        {
            return false;
        }
        RemoveFromVolatile(e);
        return true;
    }

    public void SetExpiry(Entry e, long expireAtMs)
    {
        ExpiryLink expiry = e.Expiry;
        if (expiry.VolatileIndex < 0)
        {
            expiry.VolatileIndex = _volatile.Count;
            _volatile.Add(e);
        }
        expiry.ExpireAtMs = expireAtMs;
    }

    /// <summary>Drops the time to live; returns whether there was one.</summary>
    public bool RemoveExpiry(Entry e)
    {
        if (e.ExpireAtMs == Entry.NoExpiry)
        {
            return false;
        }
        RemoveFromVolatile(e);
        // The side object stays: SET ... EX over a volatile key drops the TTL and sets a new one, which then
        // allocates nothing (a key that once had a TTL keeps those 40 bytes).
        e.Expiry.ExpireAtMs = Entry.NoExpiry;
        return true;
    }

    private void RemoveFromVolatile(Entry e)
    {
        int i = e.VolatileIndex;
        if (i < 0)
        {
            return;
        }
        int last = _volatile.Count - 1;
        Entry moved = _volatile[last];
        _volatile[i] = moved;
        moved.Expiry.VolatileIndex = i;
        _volatile.RemoveAt(last);
        // The expiry itself stays readable on a deleted entry (RENAME and MOVE copy it after the delete).
        e.Expiry.VolatileIndex = -1;
    }

    private void ExpireNow(Entry e)
    {
        _table.Remove(e.Key, e.Hash);
        RemoveFromVolatile(e);
        events.OnExpired(this, e);
    }

    /// <summary>
    /// Redis's active expire: sample random volatile keys, delete the expired ones, and repeat while more than
    /// a quarter of a sample had expired, until the time budget is spent. Returns the keys expired.
    /// </summary>
    public int ActiveExpire(long nowMs, Random random, long deadlineTicks, int sampleSize = 20)
    {
        int expired = 0;
        while (_volatile.Count > 0)
        {
            int sampled = Math.Min(sampleSize, _volatile.Count);
            int expiredInSample = 0;
            for (int i = 0; i < sampled && _volatile.Count > 0; i++)
            {
                Entry e = _volatile[random.Next(_volatile.Count)];
                if (e.ExpireAtMs <= nowMs)
                {
                    ExpireNow(e);
                    expiredInSample++;
                }
            }
            expired += expiredInSample;
            if (expiredInSample * 4 <= sampled || Environment.TickCount64 >= deadlineTicks)
            {
                break;
            }
        }
        return expired;
    }

    /// <summary>Average remaining time to live of a sample of volatile keys, for INFO keyspace's avg_ttl.</summary>
    public long AverageTtl(long nowMs)
    {
        if (_volatile.Count == 0)
        {
            return 0;
        }
        int n = Math.Min(_volatile.Count, 64);
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += Math.Max(0, _volatile[i].ExpireAtMs - nowMs);
        }
        return sum / n;
    }

    public Entry? RandomEntry(Random random) => _table.Random(random);

    public void Clear()
    {
        _table = new KeyTable();
        foreach (Entry e in _volatile)
        {
            e.Expiry.VolatileIndex = -1;
        }
        _volatile.Clear();
    }

    /// <summary>Exchanges contents with another database (SWAPDB); the numbers stay.</summary>
    public void SwapContents(Database other)
    {
        (_table, other._table) = (other._table, _table);
        var mine = new List<Entry>(_volatile);
        _volatile.Clear();
        _volatile.AddRange(other._volatile);
        other._volatile.Clear();
        other._volatile.AddRange(mine);
    }

    /// <summary>Per-cron maintenance: incremental rehash and shrinking of sparse tables.</summary>
    public void Maintain(int rehashMilliseconds)
    {
        _table.ShrinkIfSparse();
        _table.RehashFor(rehashMilliseconds);
    }
}

/// <summary>What the keyspace reports upward: expirations (for statistics, the AOF's DEL and notifications).</summary>
internal abstract class KeyspaceEvents
{
    /// <summary>True while loading a file or serving as a replica: keys are not expired on access then.</summary>
    public bool SuppressExpiry { get; set; }

    /// <summary>True under an LFU maxmemory policy: accesses update the logarithmic frequency counter.</summary>
    public virtual bool TrackFrequency => false;

    /// <summary>The randomness behind the LFU counter's probabilistic increment (tests pass a seeded one).</summary>
    public virtual Random Random => Random.Shared;

    public abstract void OnExpired(Database db, Entry entry);

    /// <summary>A key was added (Redis's dbAdd): clients blocked on it may now be served.</summary>
    public virtual void OnKeyAdded(Database db, Entry entry)
    {
    }
}
