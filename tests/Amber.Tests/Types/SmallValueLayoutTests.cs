using Amber.Types;

namespace Amber.Tests.Types;

/// <summary>
/// Small collections are the common case for many-key datasets (docs/benchmarks.md, Memory per element): a key of a
/// small hash or integer set is one 48-byte value object, which is also the key's entry (Entry's 24 bytes of fields
/// + one reference), plus one exactly sized array. A separate value object or entry would add 24 to 48 bytes here.
/// </summary>
public class SmallValueLayoutTests
{
    private const int Count = 1000;

    private static long AllocatedPerCall<T>(Func<T> create)
    {
        var keep = new T[Count];
        keep[0] = create();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            keep[i] = create();
        }
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        GC.KeepAlive(keep);
        return perCall;
    }

    [Fact]
    public void AnEmptyListPackHashIsOneSmallObject()
    {
        // HashValue: 16 header + Entry's fields (24) + the table reference = 48; its array (an empty key's header
        // byte, then the empty pack's count) is shared until the first change or the key.
        Assert.Equal(48, AllocatedPerCall(() => new HashValue()));
    }

    [Fact]
    public void AFiveFieldHashIsTheValueAndOneExactPack()
    {
        // Five "fieldN"/"N" pairs: 4-byte count + 5 × (1 + 6) + 5 × (1 + 1) = 49 bytes after the (empty) key's
        // header byte in the entry's one array → 24 + 1 + 49 → 80 (8-byte aligned).
        var hash = new HashValue();
        for (int i = 0; i < 5; i++)
        {
            hash.Set(System.Text.Encoding.ASCII.GetBytes("field" + i), System.Text.Encoding.ASCII.GetBytes(i.ToString()), 128, 64);
        }
        Assert.Equal(48 + 80, AllocatedPerCall(() => hash.Clone()));
    }

    [Fact]
    public void AnEmptyIntSetIsOneSmallObject()
    {
        // SetValue 16 header + Entry's fields (24) + the table reference = 48; its array (an empty key's header byte,
        // then the empty intset's width byte) is shared until the first change or the key.
        Assert.Equal(48, AllocatedPerCall(SetValue.CreateIntSet));
    }

    [Fact]
    public void AFiveMemberIntSetIsTheValueAndOneExactShortArray()
    {
        SetValue set = SetValue.CreateIntSet();
        for (int i = 0; i < 5; i++)
        {
            set.Add(System.Text.Encoding.ASCII.GetBytes((i * 1000).ToString()), 512);
        }
        // One array: the empty key's header byte, the width byte and five 2-byte members: 24 + 12 → 40.
        Assert.Equal(48 + 40, AllocatedPerCall(() => set.Clone()));
    }

    [Fact]
    public void AnEmptySortedSetIsOneSmallObject()
    {
        // SortedSet 16 header + Entry's fields (24) + the tree reference = 48; its array (an empty key's header byte
        // and the empty pack's 8-byte header) is shared until the first change or the key. Five 5-byte members with
        // small integer scores then take 5 × 8 bytes after the key (ZSetPackTests sizes entries).
        Assert.Equal(48, AllocatedPerCall(() => new SortedSet()));
    }

    [Fact]
    public void AOneNodeListHasNoNodeArray()
    {
        // QuickList 16 header + Entry's fields (24) + node reference, long count, first, node count, fill = 72; ListNode 16 + buffer
        // reference + 3 ints = 40; the buffer (one 1-byte entry of 3 bytes plus 16 of room) 24 + 19 → 48. A node
        // array (32 bytes for one slot) appears only with a second node.
        Assert.Equal(72 + 40 + 48, AllocatedPerCall(() =>
        {
            var list = new QuickList();
            list.PushTail("x"u8);
            return list;
        }));
    }

    [Fact]
    public void EncodingsSurviveConversionAndCopy()
    {
        var hash = new HashValue();
        hash.Set("f"u8, "v"u8, maxEntries: 2, maxValueLength: 64);
        HashValue copy = hash.Clone();
        hash.Set("g"u8, "w"u8, 2, 64);
        hash.Set("h"u8, "x"u8, 2, 64);
        Assert.False(hash.IsListPack);
        Assert.Equal(3, hash.Count);
        Assert.True(hash.TryGet("f"u8, out ReadOnlySpan<byte> v) && v.SequenceEqual("v"u8));
        Assert.True(copy.IsListPack);
        Assert.Equal(1, copy.Count);
        Assert.False(copy.Contains("g"u8));

        SetValue set = SetValue.CreateIntSet();
        Assert.True(set.Add("1"u8, 512));
        SetValue setCopy = set.Clone();
        Assert.True(set.Add("x"u8, 512));
        Assert.False(set.IsIntSet);
        Assert.Equal(2, set.Count);
        Assert.True(set.Contains("1"u8));
        Assert.True(setCopy.IsIntSet);
        Assert.Equal(1, setCopy.Count);
        Assert.True(setCopy.Add("2"u8, 512));
        Assert.Equal(2, setCopy.Count);
        Assert.False(set.Contains("2"u8));
    }
}
