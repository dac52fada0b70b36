using Amber.Commands;
using Amber.Keyspace;

namespace Amber.Server;

/// <summary>
/// Before a batch of requests runs, starts loading into the cache what its key lookups will touch. A lookup in a large
/// keyspace costs three dependent cache misses (bucket slot, entry, key bytes) that one key at a time waits out in
/// turn; issued for all the batch's keys stage by stage, the misses overlap, and the commands then find their keys in
/// the cache. A hint only: it reads the table (under the keyspace lock, as the batch does) and changes nothing.
/// <para>
/// The keys: a request's second argument, which it is for most data commands (for the others the prefetch is merely
/// wasted), and for a multi-key command (MSET, MGET, DEL ...) each key its command table entry places. When the first
/// key holds a large hash, set or sorted set, the lookup of the member the request names is prefetched the same way
/// (HSET key field, SADD key member, ZADD key score member).
/// </para>
/// </summary>
internal static class BatchPrefetch
{
    private const int MaxRequests = 32;
    private const int MaxKeys = 32;
    // A batch is peeked at only this far: the parser reads it anyway, and one huge request is not worth a second pass.
    private const int MaxScanBytes = 8 * 1024;
    private const int MaxCount = 1024;

    [ThreadStatic]
    private static Entry?[]? t_entries;

    /// <summary>Where a request and its first arguments lie (length -1: absent).</summary>
    internal struct Peeked
    {
        public int Start;
        public int Count;
        public int NameStart;
        public int NameLength;
        public int KeyStart;
        public int KeyLength;
        public int MemberStart;
        public int MemberLength;
        public int NextStart;
        public int NextLength;
        /// <summary>Index of the request's first key in the batch's key list.</summary>
        public int KeyIndex;
    }

    public static void Run(KeyTable table, CommandTable? commands, ReadOnlySpan<byte> batch)
    {
        if (batch.Length > MaxScanBytes)
        {
            batch = batch[..MaxScanBytes];
        }
        Span<Peeked> requests = stackalloc Peeked[MaxRequests];
        Span<int> keyStarts = stackalloc int[MaxKeys];
        Span<int> keyLengths = stackalloc int[MaxKeys];
        int n = 0;
        int keys = 0;
        int pos = 0;
        while (n < MaxRequests && keys < MaxKeys && TryPeek(batch, ref pos, out requests[n]))
        {
            ref Peeked r = ref requests[n++];
            r.KeyIndex = keys;
            // Only requests of 4 or more arguments look their command up: SET, HGET, SADD ... (the common case) are
            // single-key, and MGET or DEL of two keys merely go without the second prefetch.
            if (r.Count > 3 && commands?.Find(batch.Slice(r.NameStart, r.NameLength)) is { Step: > 0, FirstKey: 1 } spec &&
                spec.LastKey != 1)
            {
                keys = CollectKeys(batch, r, spec, keyStarts, keyLengths, keys);
            }
            else
            {
                keyStarts[keys] = r.KeyStart;
                keyLengths[keys++] = r.KeyLength;
            }
        }
        if (keys < 2)
        {
            return;
        }
        Span<uint> hashes = stackalloc uint[MaxKeys];
        for (int i = 0; i < keys; i++)
        {
            hashes[i] = KeyHash.Of(batch.Slice(keyStarts[i], keyLengths[i]));
            table.PrefetchSlot(hashes[i]);
        }
        for (int i = 0; i < keys; i++)
        {
            table.PrefetchEntry(hashes[i], keyBytes: false);
        }
        for (int i = 0; i < keys; i++)
        {
            table.PrefetchEntry(hashes[i], keyBytes: true);
        }
        PrefetchMembers(table, batch, requests[..n], hashes);
    }

    /// <summary>Adds the keys of a multi-key request (FirstKey, LastKey, Step of its command) to the list.</summary>
    internal static int CollectKeys(ReadOnlySpan<byte> batch, in Peeked r, CommandSpec spec, Span<int> starts, Span<int> lengths, int keys)
    {
        int last = spec.LastKey < 0 ? r.Count + spec.LastKey : Math.Min(spec.LastKey, r.Count - 1);
        int p = r.Start;
        TryReadHeader(batch, ref p, (byte)'*', out _);
        for (int i = 0; i < r.Count && i <= last && keys < MaxKeys; i++)
        {
            TryReadHeader(batch, ref p, (byte)'$', out int length);
            if (i >= 1 && (i - 1) % spec.Step == 0)
            {
                starts[keys] = p;
                lengths[keys++] = length;
            }
            p += length + 2;
        }
        return keys;
    }

    private static void PrefetchMembers(KeyTable table, ReadOnlySpan<byte> batch, ReadOnlySpan<Peeked> requests, ReadOnlySpan<uint> keyHashes)
    {
        Entry?[] entries = t_entries ??= new Entry?[MaxRequests];
        Span<uint> hashes = stackalloc uint[MaxRequests];
        int collections = 0;
        for (int i = 0; i < requests.Length; i++)
        {
            ref readonly Peeked r = ref requests[i];
            Entry? e = r.MemberLength < 0 ? null : table.PeekEntry(batch.Slice(r.KeyStart, r.KeyLength), keyHashes[r.KeyIndex]);
            if (e == null || e.IsString)
            {
                entries[i] = null;
                continue;
            }
            // A sorted set's member follows the score (ZADD key score member); other types name it first.
            bool afterScore = e is Types.SortedSet && r.NextLength >= 0;
            hashes[i] = KeyHash.Of(afterScore ? batch.Slice(r.NextStart, r.NextLength) : batch.Slice(r.MemberStart, r.MemberLength));
            entries[i] = e;
            e.PrefetchMember(hashes[i], 0);
            collections++;
        }
        if (collections == 0)
        {
            return;
        }
        for (int stage = 1; stage <= 2; stage++)
        {
            for (int i = 0; i < requests.Length; i++)
            {
                entries[i]?.PrefetchMember(hashes[i], stage);
            }
        }
        Array.Clear(entries);
    }

    /// <summary>
    /// A complete RESP request (<c>*N</c> then N bulk strings, N ≥ 2) at <paramref name="pos"/>: where it and its first
    /// arguments lie, with <paramref name="pos"/> moved past it. False, <paramref name="pos"/> unchanged, for anything
    /// else (an inline command, an incomplete request, a malformed one: the parser deals with those).
    /// </summary>
    internal static bool TryPeek(ReadOnlySpan<byte> buf, ref int pos, out Peeked request)
    {
        request = new Peeked { Start = pos, MemberLength = -1, NextLength = -1 };
        int p = pos;
        if (!TryReadHeader(buf, ref p, (byte)'*', out int count) || count < 2 || count > MaxCount)
        {
            return false;
        }
        request.Count = count;
        for (int i = 0; i < count; i++)
        {
            if (!TryReadHeader(buf, ref p, (byte)'$', out int length) || length > buf.Length - p - 2)
            {
                return false;
            }
            switch (i)
            {
                case 0:
                    request.NameStart = p;
                    request.NameLength = length;
                    break;
                case 1:
                    request.KeyStart = p;
                    request.KeyLength = length;
                    break;
                case 2:
                    request.MemberStart = p;
                    request.MemberLength = length;
                    break;
                case 3:
                    request.NextStart = p;
                    request.NextLength = length;
                    break;
            }
            p += length + 2;
        }
        pos = p;
        return true;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> buf, ref int p, byte kind, out int value)
    {
        value = 0;
        if (p >= buf.Length || buf[p] != kind)
        {
            return false;
        }
        int q = p + 1;
        while (q < buf.Length && q - p <= 9 && buf[q] - (uint)'0' <= 9)
        {
            value = value * 10 + (buf[q] - '0');
            q++;
        }
        if (q == p + 1 || q + 1 >= buf.Length || buf[q] != '\r' || buf[q + 1] != '\n')
        {
            return false;
        }
        p = q + 2;
        return true;
    }
}
