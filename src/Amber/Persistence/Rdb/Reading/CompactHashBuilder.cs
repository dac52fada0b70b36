using System.Numerics;
using Amber.Types;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Builds a listpack-encoded <see cref="HashValue"/> from a validated RDB listpack of field/value pairs in linear time:
/// the pack is sized exactly before it is written, and duplicate fields are found through a small open-addressing
/// set of the fields written so far (instead of a scan of the pack per field, quadratic in the field count).
/// One per reader; its scratch arrays are reused from hash to hash.
/// </summary>
internal sealed class CompactHashBuilder
{
    private readonly byte[] _scratchA = new byte[24];
    private readonly byte[] _scratchB = new byte[24];
    private int[] _slots = new int[256];
    private uint[] _hashes = new uint[256];

    /// <summary>The hash, or null when a field repeats. <paramref name="entries"/> is the listpack's validated entry count.</summary>
    public HashValue? Build(ReadOnlySpan<byte> listpack, int entries)
    {
        int size = 0;
        var e = new ListpackBlob.Enumerator(listpack);
        while (e.MoveNext())
        {
            size += ListPack.EntrySize(e.Current.Text(_scratchA).Length);
        }
        var pack = new ListPack(size, HashValue.PackPrefix);
        int mask = PrepareSlots(entries / 2);
        e = new ListpackBlob.Enumerator(listpack);
        while (e.MoveNext())
        {
            ReadOnlySpan<byte> field = e.Current.Text(_scratchA);
            uint hash = Hash(field);
            int slot = (int)hash & mask;
            while (_slots[slot] != 0)
            {
                if (_hashes[slot] == hash && pack.Read(_slots[slot] - 1).SequenceEqual(field))
                {
                    return null;
                }
                slot = (slot + 1) & mask;
            }
            _slots[slot] = pack.ByteLength + 1;
            _hashes[slot] = hash;
            pack.Append(field);
            e.MoveNext();
            pack.Append(e.Current.Text(_scratchB));
        }
        return HashValue.FromListPack(pack);
    }

    /// <summary>Clears (and if needed grows) the set to at most half full for <paramref name="fields"/> fields; returns its mask.</summary>
    private int PrepareSlots(int fields)
    {
        int needed = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, fields * 2));
        if (needed > _slots.Length)
        {
            _slots = new int[needed];
            _hashes = new uint[needed];
        }
        else
        {
            Array.Clear(_slots, 0, needed);
        }
        return needed - 1;
    }

    private static uint Hash(ReadOnlySpan<byte> field)
    {
        // FNV-1a: fields are short; no need for a seeded hash, the set lives for one value.
        uint h = 2166136261;
        foreach (byte b in field)
        {
            h = (h ^ b) * 16777619;
        }
        return h;
    }
}
