using Amber.Keyspace;

namespace Amber.Server;

/// <summary>
/// WATCHed keys, as Redis's per-database watched_keys: (database, key) → the clients' watches, so a write can mark
/// every client watching the key (its next EXEC then fails) in O(watchers). A touched client stops watching at
/// once (nothing more can change its outcome). Every method runs under the keyspace lock.
/// <para>Expiry follows Redis 7.0: a key that expires after WATCH counts as changed (when reclaimed, or at EXEC
/// while still present); a key that was already logically expired when watched does not count when it is
/// reclaimed, only when it is written.</para>
/// </summary>
internal sealed class WatchRegistry(AmberServer server)
{
    private readonly Dictionary<byte[], List<WatchedKey>>?[] _byDb = new Dictionary<byte[], List<WatchedKey>>?[server.Databases.Length];
    private readonly List<ClientSession> _touched = [];
    private int _count;

    /// <summary>Watches held by all clients together.</summary>
    public int Count => _count;

    /// <summary>WATCH: adds the key in the client's current database, unless already watched.</summary>
    public void Watch(ClientSession session, ReadOnlySpan<byte> key, long nowMs)
    {
        TransactionState tx = session.Transaction ??= new TransactionState();
        int db = session.DbIndex;
        foreach (WatchedKey w in tx.Watched)
        {
            if (w.DbIndex == db && key.SequenceEqual(w.Key))
            {
                return;
            }
        }
        Dictionary<byte[], List<WatchedKey>> byKey = _byDb[db] ??= new Dictionary<byte[], List<WatchedKey>>(KeyBytesComparer.Instance);
        if (!byKey.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out byte[]? stored, out List<WatchedKey>? watchers))
        {
            stored = key.ToArray();
            watchers = [];
            byKey.Add(stored, watchers);
        }
        var watch = new WatchedKey(session, db, stored) { ExpiredWhenWatched = IsExpired(db, stored, nowMs) };
        watchers.Add(watch);
        tx.Watched.Add(watch);
        _count++;
    }

    /// <summary>Drops every watch of the client (UNWATCH, EXEC, DISCARD, RESET, disconnect).</summary>
    public void UnwatchAll(ClientSession session)
    {
        if (session.Transaction is not { } tx || tx.Watched.Count == 0)
        {
            return;
        }
        foreach (WatchedKey w in tx.Watched)
        {
            Dictionary<byte[], List<WatchedKey>> byKey = _byDb[w.DbIndex]!;
            List<WatchedKey> watchers = byKey[w.Key];
            watchers.Remove(w);
            if (watchers.Count == 0)
            {
                byKey.Remove(w.Key);
            }
            _count--;
        }
        tx.Watched.Clear();
    }

    /// <summary>A write changed the key (Redis's touchWatchedKey): its watchers' next EXEC fails.</summary>
    public void KeyModified(int dbIndex, ReadOnlySpan<byte> key)
    {
        if (_count == 0 || _byDb[dbIndex] is not { Count: > 0 } byKey ||
            !byKey.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out List<WatchedKey>? watchers))
        {
            return;
        }
        bool present = server.Databases[dbIndex].FindRaw(key) != null;
        foreach (WatchedKey w in watchers)
        {
            if (w.ExpiredWhenWatched && !present)
            {
                // The key that was already expired when watched is now gone: logically nothing changed.
                w.ExpiredWhenWatched = false;
                continue;
            }
            _touched.Add(w.Session);
        }
        TouchCollected();
    }

    /// <summary>
    /// Redis's touchAllWatchedKeysInDb, called before the database's contents go: FLUSHDB/FLUSHALL
    /// (<paramref name="replacedWithIndex"/> -1) or SWAPDB (the database whose contents take their place).
    /// A watch is touched when its key exists in either; expired keys follow Redis 7.0's rules.
    /// </summary>
    public void DatabaseModified(int emptiedIndex, int replacedWithIndex, long nowMs)
    {
        if (_count == 0 || _byDb[emptiedIndex] is not { Count: > 0 } byKey)
        {
            return;
        }
        Database emptied = server.Databases[emptiedIndex];
        Database? replacedWith = replacedWithIndex >= 0 ? server.Databases[replacedWithIndex] : null;
        foreach ((byte[] key, List<WatchedKey> watchers) in byKey)
        {
            bool inEmptied = emptied.FindRaw(key) != null;
            bool inReplacement = replacedWith?.FindRaw(key) != null;
            if (!inEmptied && !inReplacement)
            {
                continue;
            }
            bool replacementExpired = inReplacement && IsExpired(replacedWithIndex, key, nowMs);
            foreach (WatchedKey w in watchers)
            {
                if (w.ExpiredWhenWatched)
                {
                    if (!inReplacement)
                    {
                        // The expired key is deleted: no logical change.
                        w.ExpiredWhenWatched = false;
                        continue;
                    }
                    if (replacementExpired)
                    {
                        // Expired before, expired after.
                        continue;
                    }
                }
                else if (!inEmptied && replacementExpired)
                {
                    // A missing key is replaced by an expired one: still logically missing.
                    w.ExpiredWhenWatched = true;
                    continue;
                }
                _touched.Add(w.Session);
            }
        }
        TouchCollected();
    }

    /// <summary>Whether a watched key (not already expired when watched) has expired but is still present (checked by EXEC).</summary>
    public bool AnyWatchedKeyExpired(ClientSession session, long nowMs)
    {
        if (session.Transaction is not { } tx)
        {
            return false;
        }
        foreach (WatchedKey w in tx.Watched)
        {
            if (!w.ExpiredWhenWatched && IsExpired(w.DbIndex, w.Key, nowMs))
            {
                return true;
            }
        }
        return false;
    }

    private bool IsExpired(int dbIndex, ReadOnlySpan<byte> key, long nowMs)
    {
        Entry? e = server.Databases[dbIndex].FindRaw(key);
        return e != null && e.HasExpiry && e.ExpireAtMs <= nowMs && !server.Events.SuppressExpiry;
    }

    private void TouchCollected()
    {
        foreach (ClientSession session in _touched)
        {
            session.Transaction!.WatchTouched = true;
            UnwatchAll(session);
        }
        _touched.Clear();
    }
}
