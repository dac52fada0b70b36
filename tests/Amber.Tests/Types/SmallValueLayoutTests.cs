using Amber.Types;

namespace Amber.Tests.Types;

/// <summary>
/// Small collections are the common case for many-key datasets (docs/benchmarks.md, Memory per element): a small hash
/// or integer set is one value object plus one byte array, its encoding held inline as a struct.
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
    public void AnEmptyListPackHashIsTwoObjects()
    {
        // HashValue 16 header + ListPack struct 16 + table reference 8 = 40; the 16-byte listpack array 24 + 16 = 40.
        Assert.Equal(80, AllocatedPerCall(() => new HashValue()));
    }

    [Fact]
    public void AnEmptyIntSetIsTwoObjects()
    {
        // SetValue 16 header + IntSet struct 16 + table reference 8 = 40; the 8-byte intset array 24 + 8 = 32.
        Assert.Equal(72, AllocatedPerCall(SetValue.CreateIntSet));
    }

    [Fact]
    public void AnEmptySortedSetIsOneSmallObject()
    {
        // SortedSet 16 header + one reference (pack or tree) = 24; the empty pack is shared. Five 5-byte members with
        // small integer scores then take one pack of 24 header + 8 + 5 × 8 = 72 bytes (ZSetPackTests sizes entries).
        Assert.Equal(24, AllocatedPerCall(() => new SortedSet()));
    }

    [Fact]
    public void AOneNodeListHasNoNodeArray()
    {
        // QuickList 16 header + node reference, long count, first, node count, fill = 48; ListNode 16 + buffer
        // reference + 3 ints = 40; the buffer (one 1-byte entry of 3 bytes plus 16 of room) 24 + 19 → 48. A node
        // array (32 bytes for one slot) appears only with a second node.
        Assert.Equal(48 + 40 + 48, AllocatedPerCall(() =>
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
