namespace Amber.Keyspace;

/// <summary>Cache prefetch of the buckets and entries a batch of requests is about to look up (see BatchPrefetch).</summary>
internal sealed partial class KeyTable
{
    /// <summary>Starts loading the bucket slot of <paramref name="hash"/> (first step of a lookup).</summary>
    public void PrefetchSlot(uint hash)
    {
        CachePrefetch.Element(_main.Entries, hash & _main.Mask);
        if (_target != null)
        {
            CachePrefetch.Element(_target.Entries, hash & _target.Mask);
        }
    }

    /// <summary>The entry of <paramref name="key"/>, if present, without the side effects of <see cref="Find"/>.</summary>
    public Entry? PeekEntry(ReadOnlySpan<byte> key, uint hash) =>
        FindIn(_main, key, hash) ?? (_target != null ? FindIn(_target, key, hash) : null);

    /// <summary>
    /// Starts loading the first entry of <paramref name="hash"/>'s bucket and, when <paramref name="keyBytes"/>, the
    /// entry's key bytes (the second and third steps; call after <see cref="PrefetchSlot"/>, and for the key bytes after
    /// the entry has had time to arrive).
    /// </summary>
    public void PrefetchEntry(uint hash, bool keyBytes)
    {
        Entry? e = _main.Entries[hash & _main.Mask];
        if (e == null && _target != null)
        {
            e = _target.Entries[hash & _target.Mask];
        }
        if (e == null)
        {
            return;
        }
        if (keyBytes)
        {
            e.PrefetchBytes();
        }
        else
        {
            CachePrefetch.Object(e);
        }
    }
}
