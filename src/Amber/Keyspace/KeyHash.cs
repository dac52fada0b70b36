namespace Amber.Keyspace;

/// <summary>Hashes key bytes with a per-process random seed (HashCode), so crafted keys cannot force collisions.</summary>
internal static class KeyHash
{
    public static uint Of(ReadOnlySpan<byte> key)
    {
        var h = new HashCode();
        h.AddBytes(key);
        return (uint)h.ToHashCode();
    }
}
