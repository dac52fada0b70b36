using Amber.Keyspace;

namespace Amber.Tests.Keyspace;

/// <summary>
/// Per-key memory (docs/benchmarks.md, Memory per element): every key pays for one <see cref="Entry"/> and one table
/// slot, so a field added to either shows up in every shape. Measured as bytes allocated per object on this thread.
/// </summary>
public class EntryLayoutTests
{
    private sealed class NoEvents : KeyspaceEvents
    {
        public override void OnExpired(Database db, Entry entry)
        {
        }
    }

    private const int Count = 1000;

    [Fact]
    public void AStringEntryWithoutExpiryIs40Bytes()
    {
        byte[] key = [1, 2, 3];
        var entries = new Entry[Count];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            entries[i] = Entry.ForString(key, 42, key);
        }
        long perEntry = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        // The entry, and its one array for key and value: 24 header + 1 length + 3 + 3 = 31 -> 32.
        Assert.Equal(40 + 32, perEntry);
        GC.KeepAlive(entries);
    }

    [Fact]
    public void AKeyOfAnotherTypeIsItsValueObjectAndOneArray()
    {
        byte[] key = [1, 2, 3];
        var entries = new Entry[Count];
        var values = new Amber.Types.HashValue[Count];
        for (int i = 0; i < Count; i++)
        {
            values[i] = new Amber.Types.HashValue();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            entries[i] = Entry.Create(key, 42, values[i]);
        }
        // Attaching the key allocates only the key's array (no entry object, no value reference): 24 header +
        // 1 length + 3 = 28 -> 32.
        Assert.Equal(32, (GC.GetAllocatedBytesForCurrentThread() - before) / Count);
        Assert.Same(values[0], entries[0]);
        Assert.Same(entries[0], entries[0].Value);
        Assert.True(entries[0].Key.SequenceEqual(key));
        Assert.Equal(Entry.TagOf(42), entries[0].HashTag);
        GC.KeepAlive(entries);
    }

    [Fact]
    public void OnlyAKeyWithATimeToLivePaysForTheExpiryLink()
    {
        var db = new Database(0, new NoEvents());
        var entries = new Entry[Count];
        var others = new Entry[Count];
        for (int i = 0; i < Count; i++)
        {
            entries[i] = db.Add(BitConverter.GetBytes(i), Array.Empty<byte>());
            others[i] = db.Add(BitConverter.GetBytes(-1 - i), Array.Empty<byte>());
        }
        // Grow the volatile list first (with other keys) so only the expiry side objects are counted.
        foreach (Entry other in others)
        {
            db.SetExpiry(other, 1);
        }
        foreach (Entry other in others)
        {
            Assert.True(db.RemoveExpiry(other));
            Assert.False(other.HasExpiry);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            db.SetExpiry(entries[i], 1_000 + i);
        }
        long perKey = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        Assert.Equal(40, perKey);
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(1_000 + i, entries[i].ExpireAtMs);
            Assert.Same(entries[i], db.FindRaw(BitConverter.GetBytes(i)));
        }
        Assert.Equal(Count, db.VolatileCount);

        // Dropping a TTL keeps the side object, so setting one again (SET ... EX over a volatile key) allocates nothing.
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            db.RemoveExpiry(entries[i]);
            db.SetExpiry(entries[i], 2_000 + i);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2_000 + Count - 1, entries[Count - 1].ExpireAtMs);
    }

    [Fact]
    public void AStringKeyIsTheEntryAndOneArrayForKeyAndValue()
    {
        // key:123456 and val:0000001 as in bench/memory.sh: 24 (array header) + 1 (key length) + 10 + 11 = 46 -> 48 B,
        // where a key array and a value array were 40 + 40 B.
        byte[] key = "key:123456"u8.ToArray();
        byte[] value = "val:0000001"u8.ToArray();
        var entries = new Entry[Count];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            entries[i] = Entry.ForString(key, 42, value);
        }
        long perKey = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        Assert.Equal(40 + 48, perKey);
        Assert.True(entries[^1].Key.SequenceEqual(key) && entries[^1].StringValue.SequenceEqual(value));
        GC.KeepAlive(entries);
    }

    [Fact]
    public void ATableSlotIsOneReference()
    {
        var table = new KeyTable();
        long before = GC.GetAllocatedBytesForCurrentThread();
        table.Reserve(1 << 16);
        long perSlot = (GC.GetAllocatedBytesForCurrentThread() - before) / (1 << 16);
        Assert.Equal(8, perSlot);
    }
}
