using Amber.Keyspace;
using Amber.Types;

namespace Amber.Tests.Keyspace;

/// <summary>
/// A key of a collection type is its value object (the value classes derive from <see cref="Entry"/>), and a small
/// encoding lives in the entry's own array after the key (docs/benchmarks.md, Memory per element).
/// </summary>
public class ValueEntryTests
{
    private const int Count = 1000;
    private const long Now = 1_700_000_000_000;

    private sealed class NoEvents : KeyspaceEvents
    {
        public override void OnExpired(Database db, Entry entry)
        {
        }
    }

    private static byte[] A(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Fact]
    public void ASmallHashKeyIsOneObjectAndOneArrayForKeyAndPack()
    {
        // hash5 of bench/memory.sh: five "fieldN"/"N" pairs, a 4-byte count + 5 × 7 + 5 × 2 = 49 bytes of listpack.
        byte[] key = A("key:123456");
        var packs = new ListPack[Count];
        for (int i = 0; i < Count; i++)
        {
            packs[i] = new ListPack(45, HashValue.PackPrefix);
            for (int f = 0; f < 5; f++)
            {
                packs[i].Append(A("field" + f), A(f.ToString()));
            }
        }
        var entries = new Entry[Count];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            entries[i] = Entry.Create(key, 42, HashValue.FromListPack(packs[i]));
        }
        long perKey = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        // The entry (48: Entry's 24 bytes of fields + the table reference) and one array: 24 + 1 + 10 + 49 = 84 → 88.
        // A separate value object would add 24 or more, a separate pack array 32 or more.
        Assert.Equal(48 + 88, perKey);
        var hash = (HashValue)entries[^1];
        Assert.True(hash.Key.SequenceEqual(key));
        Assert.Equal(5, hash.Count);
        Assert.True(hash.TryGet("field3"u8, out ReadOnlySpan<byte> v) && v.SequenceEqual("3"u8));
    }

    [Fact]
    public void AHashConvertingToATableKeepsItsKeyAndNeverShrinksBack()
    {
        var db = new Database(0, new NoEvents());
        byte[] key = A("a-hash-key");
        var hash = (HashValue)db.Add(key, new HashValue());
        for (int i = 0; i < 200; i++)
        {
            Assert.True(hash.Set(A("f" + i), A("v" + i), 128, 64));
            Assert.True(hash.Key.SequenceEqual(key));
            Assert.Equal(i < 128, hash.IsListPack);
        }
        Assert.Same(hash, db.FindRaw(key));
        for (int i = 0; i < 199; i++)
        {
            Assert.True(hash.Delete(A("f" + i)));
        }
        Assert.False(hash.IsListPack);
        Assert.True(hash.TryGet("f199"u8, out ReadOnlySpan<byte> v) && v.SequenceEqual("v199"u8));
        Assert.True(hash.Key.SequenceEqual(key));
        Assert.Same(hash, db.FindRaw(key));
    }

    /// <summary>Bytes allocated per call of <paramref name="make"/>, over <see cref="Count"/> calls (results kept alive).</summary>
    private static long PerCall<T>(Func<int, T> make)
    {
        var keep = new T[Count];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
        {
            keep[i] = make(i);
        }
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        GC.KeepAlive(keep);
        return perCall;
    }

    [Fact]
    public void ASmallIntSetKeyIsOneObjectAndOneArrayForKeyAndMembers()
    {
        // set5-int of bench/memory.sh: five members of 4 bytes (past 32767) after the width byte.
        SetValue set = SetValue.CreateIntSet();
        for (int j = 0; j < 5; j++)
        {
            Assert.True(set.Add(A((600_000 + j).ToString()), 512));
        }
        Assert.True(set.IsIntSet);
        var copies = new SetValue[Count];
        // A detached copy: the object (48) and one array: 24 + 1 (empty key) + 1 + 20 = 46 → 48.
        Assert.Equal(48 + 48, PerCall(i => copies[i] = set.Clone()));
        byte[] key = A("set:123456");
        // Attached: just the key's array, now holding the members too: 24 + 1 + 10 + 21 = 56.
        Assert.Equal(56, PerCall(i => Entry.Create(key, 42, copies[i])));
        SetValue keyed = copies[^1];
        Assert.True(keyed.Key.SequenceEqual(key));
        Assert.True(keyed.Contains("600004"u8) && !keyed.Contains("600005"u8));
        Assert.Equal(5, keyed.Count);
    }

    [Fact]
    public void ASmallWordSetKeyIsOneObjectAndOneArrayForKeyAndPack()
    {
        SetValue set = SetValue.CreateFor("apple"u8);
        foreach (string word in new[] { "apple", "banana", "cherry", "date", "elder" })
        {
            Assert.True(set.Add(A(word), 512));
        }
        Assert.True(set.IsPack);
        var copies = new SetValue[Count];
        // 24 + 1 (empty key) + 1 (tag) + 2 (count) + 5 × 2 (offsets) + 26 (members) = 64.
        Assert.Equal(48 + 64, PerCall(i => copies[i] = set.Clone()));
        SetValue keyed = (SetValue)Entry.Create(A("set:1"), 42, copies[0]);
        Assert.True(keyed.Key.SequenceEqual("set:1"u8));
        Assert.True(keyed.Contains("cherry"u8) && !keyed.Contains("fig"u8));
    }

    [Fact]
    public void ASetConvertingFromIntsToPackToTableKeepsItsKey()
    {
        var db = new Database(0, new NoEvents());
        byte[] key = A("a-set-key");
        var set = (SetValue)db.Add(key, SetValue.CreateIntSet());
        for (int i = 0; i < 10; i++)
        {
            Assert.True(set.Add(A(i.ToString()), 512));
        }
        Assert.True(set.IsIntSet && set.Key.SequenceEqual(key));
        Assert.True(set.Add("word"u8, 512));
        Assert.True(set.IsPack && set.Key.SequenceEqual(key));
        Assert.True(set.Contains("7"u8) && set.Contains("word"u8));
        for (int i = 0; i < 200; i++)
        {
            set.Add(A("w" + i), 512);
        }
        Assert.False(set.IsPack || set.IsIntSet);
        Assert.True(set.Key.SequenceEqual(key));
        Assert.Equal(211, set.Count);
        Assert.Same(set, db.FindRaw(key));
        Assert.True(set.Remove("word"u8) && set.Contains("w199"u8));
    }

    [Fact]
    public void ASmallSortedSetKeyIsOneObjectAndOneArrayForKeyAndPack()
    {
        var zset = new SortedSet();
        string[] words = ["apple", "banana", "cherry", "date", "elder"];
        for (int i = 0; i < words.Length; i++)
        {
            zset.Insert(A(words[i]), i + 1, ZSetLimits.Default);
        }
        Assert.True(zset.IsCompact);
        var copies = new SortedSet[Count];
        // Entries: length byte, member, 1-byte score, 1-byte back length = 26 + 15; with the 8-byte header 49 bytes.
        // A detached copy: the object and one array of 24 + 1 (empty key) + 49 = 74 → 80.
        Assert.Equal(48 + 80, PerCall(i => copies[i] = zset.Clone()));
        byte[] key = A("zset:1");
        // Attached: 24 + 1 + 6 + 49 = 80.
        Assert.Equal(80, PerCall(i => Entry.Create(key, 42, copies[i])));
        SortedSet keyed = copies[^1];
        Assert.True(keyed.Key.SequenceEqual(key));
        Assert.True(keyed.TryGetScore("cherry"u8, out double score) && score == 3);
        Assert.Equal(4, keyed.RankOf(keyed.Find("elder"u8)));
        keyed.Validate();
    }

    [Fact]
    public void ASortedSetConvertingToATreeAndBackKeepsItsKey()
    {
        var db = new Database(0, new NoEvents());
        byte[] key = A("a-zset-key");
        var zset = (SortedSet)db.Add(key, new SortedSet());
        for (int i = 0; i < 200; i++)
        {
            zset.Insert(A("m" + i), i, ZSetLimits.Default);
            Assert.True(zset.Key.SequenceEqual(key));
            Assert.Equal(i < 128, zset.IsCompact);
        }
        zset.RemoveRankRange(0, 189);
        zset.CompactIfFits(ZSetLimits.Default);
        Assert.True(zset.IsCompact);
        Assert.True(zset.Key.SequenceEqual(key));
        Assert.Equal(10, zset.Count);
        Assert.True(zset.TryGetScore("m195"u8, out double score) && score == 195);
        zset.UpdateScore(zset.Find("m195"u8), -1);
        Assert.Equal(0, zset.RankOf(zset.Find("m195"u8)));
        zset.Validate();
        Assert.Same(zset, db.FindRaw(key));
    }

    [Fact]
    public void NewValuesShareAnEmptyArrayThatNoChangeWritesInto()
    {
        // Every kind of first change, detached and attached, then emptied again: a new value must still be empty.
        var rnd = new Random(5);
        var db = new Database(0, new NoEvents());
        for (int i = 0; i < 200; i++)
        {
            byte[] element = A(rnd.Next(3) == 0 ? "w" + rnd.Next(50) : rnd.Next(-40000, 40000).ToString());
            var hash = new HashValue();
            SetValue set = rnd.Next(2) == 0 ? SetValue.CreateIntSet() : SetValue.CreateTable();
            var zset = new SortedSet();
            if (i % 2 == 0)
            {
                db.Set(A("h" + i), hash, Now);
                db.Set(A("s" + i), set, Now);
                db.Set(A("z" + i), zset, Now);
            }
            Assert.False(hash.Delete(element));
            Assert.False(set.Remove(element));
            Assert.False(zset.Remove(element));
            hash.SetPairs(new Pairs(element), 128, 64);
            set.Add(element, 512);
            zset.Insert(element, rnd.Next(10), ZSetLimits.Default);
            Assert.True(hash.Delete(element) && hash.Delete("other"u8) && set.Remove(element) && zset.Remove(element));
            Assert.Equal(0, hash.Count + set.Count + zset.Count);
        }
        Assert.Equal(0, new HashValue().Count);
        Assert.Equal(0, new SortedSet().Count);
        SetValue ints = SetValue.CreateIntSet();
        Assert.True(ints.IsIntSet && ints.Count == 0);
        SetValue pack = SetValue.CreateTable();
        Assert.True(pack.IsPack && pack.Count == 0);
        Assert.True(new HashValue().Key.IsEmpty && new SortedSet().Key.IsEmpty && ints.Key.IsEmpty && pack.Key.IsEmpty);
    }

    private readonly struct Pairs(byte[] field) : IFieldValuePairs
    {
        public int Count => 2;

        public ReadOnlySpan<byte> Field(int index) => index == 0 ? field : "other"u8;

        public ReadOnlySpan<byte> Value(int index) => "v"u8;
    }

    [Fact]
    public void ReplacingAValueOrRenamingPutsANewEntryInTheBucketAndKeepsTheExpiry()
    {
        var db = new Database(0, new NoEvents());
        var first = new HashValue();
        first.Set("f"u8, "1"u8, 128, 64);
        Entry e = db.Add("k"u8, first);
        db.SetExpiry(e, Now + 10_000);

        var second = new HashValue();
        second.Set("g"u8, "2"u8, 128, 64);
        Entry replaced = db.Set("k"u8, second, Now, keepTtl: true);
        Assert.Same(second, replaced);
        Assert.Same(second, db.FindRaw("k"u8));
        Assert.Equal(Now + 10_000, second.ExpireAtMs);
        Assert.Equal(1, db.VolatileCount);

        // RENAME: a new entry sharing the value's structures gets the new key; the old one is left as it was.
        db.Delete("k"u8);
        var renamed = (HashValue)db.AddValueOf("other"u8, second);
        Assert.NotSame(second, renamed);
        Assert.True(renamed.Key.SequenceEqual("other"u8) && second.Key.SequenceEqual("k"u8));
        Assert.True(renamed.TryGet("g"u8, out ReadOnlySpan<byte> v) && v.SequenceEqual("2"u8));
        Assert.Null(db.FindRaw("k"u8));
        Assert.Same(renamed, db.FindRaw("other"u8));
        Assert.False(renamed.HasExpiry);
    }
}
