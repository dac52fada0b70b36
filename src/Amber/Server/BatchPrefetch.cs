using Amber.Keyspace;

namespace Amber.Server;

/// <summary>
/// Before a pipelined batch runs, starts loading into the cache what its key lookups will touch. A lookup in a large
/// keyspace costs three dependent cache misses (bucket slot, entry, key bytes) that one request at a time waits out
/// in turn; issued for the whole batch stage by stage, the misses of its requests overlap, and the commands then find
/// their keys in the cache. A hint only: it reads the table (under the keyspace lock, as the batch does) and changes
/// nothing. The key is taken to be each request's second argument, which it is for most data commands; for the
/// others the prefetch is merely wasted. When that key holds a large hash, set or sorted set, the lookup of the
/// member the request names is prefetched the same way (HSET key field, SADD key member, ZADD key score member).
/// </summary>
internal static class BatchPrefetch
{
    private const int MaxRequests = 32;
    // A batch is peeked at only this far: the parser reads it anyway, and one huge request is not worth a second pass.
    private const int MaxScanBytes = 8 * 1024;
    private const int MaxCount = 1024;

    public static void Run(KeyTable table, ReadOnlySpan<byte> batch)
    {
        if (batch.Length > MaxScanBytes)
        {
            batch = batch[..MaxScanBytes];
        }
        Span<Peeked> requests = stackalloc Peeked[MaxRequests];
        int n = 0;
        int pos = 0;
        while (n < MaxRequests && TryPeek(batch, ref pos, out requests[n]))
        {
            n++;
        }
        if (n < 2)
        {
            return;
        }
        Span<uint> hashes = stackalloc uint[MaxRequests];
        for (int i = 0; i < n; i++)
        {
            hashes[i] = KeyHash.Of(batch.Slice(requests[i].KeyStart, requests[i].KeyLength));
            table.PrefetchSlot(hashes[i]);
        }
        for (int i = 0; i < n; i++)
        {
            table.PrefetchEntry(hashes[i], keyBytes: false);
        }
        for (int i = 0; i < n; i++)
        {
            table.PrefetchEntry(hashes[i], keyBytes: true);
        }
        PrefetchMembers(table, batch, requests[..n], hashes[..n]);
    }

    private static void PrefetchMembers(KeyTable table, ReadOnlySpan<byte> batch, ReadOnlySpan<Peeked> requests, Span<uint> hashes)
    {
        Entry?[] entries = t_entries ??= new Entry?[MaxRequests];
        int collections = 0;
        for (int i = 0; i < requests.Length; i++)
        {
            ref readonly Peeked r = ref requests[i];
            Entry? e = r.MemberLength < 0 ? null : table.PeekEntry(batch.Slice(r.KeyStart, r.KeyLength), hashes[i]);
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

    [ThreadStatic]
    private static Entry?[]? t_entries;

    /// <summary>Where a request's second, third and fourth arguments lie (length -1: absent).</summary>
    internal struct Peeked
    {
        public int KeyStart;
        public int KeyLength;
        public int MemberStart;
        public int MemberLength;
        public int NextStart;
        public int NextLength;
    }

    /// <summary>
    /// A complete RESP request (<c>*N</c> then N bulk strings, N ≥ 2) at <paramref name="pos"/>: where its second
    /// argument lies, with <paramref name="pos"/> moved past it. False, <paramref name="pos"/> unchanged, for anything
    /// else (an inline command, an incomplete request, a malformed one: the parser deals with those).
    /// </summary>
    internal static bool TryPeek(ReadOnlySpan<byte> buf, ref int pos, out Peeked request)
    {
        request = new Peeked { MemberLength = -1, NextLength = -1 };
        int p = pos;
        if (!TryReadHeader(buf, ref p, (byte)'*', out int count) || count < 2 || count > MaxCount)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (!TryReadHeader(buf, ref p, (byte)'$', out int length) || length > buf.Length - p - 2)
            {
                return false;
            }
            switch (i)
            {
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
