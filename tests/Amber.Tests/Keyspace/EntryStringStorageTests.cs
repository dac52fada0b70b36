using Amber.Keyspace;

namespace Amber.Tests.Keyspace;

/// <summary>
/// The key and a string value share one array in <see cref="Entry"/> (docs/architecture.md, Keyspace): the accessors
/// must give back exactly what was stored for every key length (the key length is a varint), and a string grown in
/// place must keep free space so that appending is amortized.
/// </summary>
public class EntryStringStorageTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 5)]
    [InlineData(63, 1)]
    [InlineData(64, 0)]
    [InlineData(127, 300)]
    [InlineData(128, 2)]
    [InlineData(8191, 7)]
    [InlineData(8192, 8)]
    [InlineData(70000, 3)]
    public void KeyAndValueRoundTripAtEveryVarintBoundary(int keyLength, int valueLength)
    {
        byte[] key = Bytes(keyLength, keyLength);
        byte[] value = Bytes(valueLength, valueLength + 1);
        Entry e = Entry.ForString(key, KeyHash.Of(key), value);
        Assert.True(e.IsString);
        Assert.Null(e.Value);
        Assert.Equal(key, e.Key.ToArray());
        Assert.Equal(value, e.StringValue.ToArray());
        Assert.Equal(KeyHash.Of(key), e.Hash);

        // Grown in place: the key is still intact, the old bytes kept, the new ones zero.
        Span<byte> grown = e.GrowString(valueLength + 10);
        Assert.Equal(valueLength + 10, grown.Length);
        Assert.Equal(key, e.Key.ToArray());
        Assert.Equal(value, e.StringValue[..valueLength].ToArray());
        Assert.True(e.StringValue[valueLength..].IndexOfAnyExcept((byte)0) < 0);

        Entry typed = Entry.Create(key, KeyHash.Of(key), new Amber.Types.HashValue());
        Assert.False(typed.IsString);
        Assert.True(typed.StringValue.IsEmpty);
        Assert.Equal(key, typed.Key.ToArray());
    }

    private sealed class NoEvents : KeyspaceEvents
    {
        public override void OnExpired(Database db, Entry entry)
        {
        }
    }

    [Fact]
    public void AKeyChangingTypeGetsANewEntryThatKeepsItsExpiryAndAccessState()
    {
        var db = new Database(0, new NoEvents());
        const long Now = 1_000_000;
        Entry other = db.AddString("other"u8, "x"u8);
        db.SetExpiry(other, Now + 5_000);
        Entry s = db.AddString("k"u8, "string"u8);
        db.SetExpiry(s, Now + 10_000);
        s.Frequency = 77;

        var list = new Amber.Types.QuickList();
        Entry typed = db.Set("k"u8, list, Now, keepTtl: true);
        Assert.NotSame(s, typed);
        Assert.Same(list, typed.Value);
        Assert.Same(typed, db.FindRaw("k"u8));
        Assert.Equal(Now + 10_000, typed.ExpireAtMs);
        Assert.Equal(77, typed.Frequency);
        Assert.Equal(2, db.VolatileCount);

        // Back to a string, dropping the TTL; the other key's expiry is untouched.
        Entry back = db.SetString("k"u8, "again"u8, Now);
        Assert.True(back.IsString && back.StringValue.SequenceEqual("again"u8));
        Assert.Same(back, db.FindRaw("k"u8));
        Assert.False(back.HasExpiry);
        Assert.Equal(1, db.VolatileCount);
        Assert.Equal(2, db.Count);

        // Expiring the other key still works on the volatile array as rebuilt.
        Assert.Equal(1, db.ActiveExpire(Now + 6_000, new Random(1), long.MaxValue));
        Assert.Null(db.FindRaw("other"u8));
        Assert.Same(back, db.FindRaw("k"u8));
    }

    [Fact]
    public void SetStringOfTheSameLengthOverwritesInPlace()
    {
        Entry e = Entry.ForString("k"u8, 1, "value1"u8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        e.SetString("value2"u8);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(e.StringValue.SequenceEqual("value2"u8));
        e.SetString("longer value"u8);
        Assert.True(e.StringValue.SequenceEqual("longer value"u8));
        e.SetString(""u8);
        Assert.Equal(0, e.StringLength);
        Assert.True(e.Key.SequenceEqual("k"u8));
    }

    [Fact]
    public void GrowingByOneByteAtATimeCopiesTheStringOnlyLogarithmicallyOften()
    {
        // 20,000 one-byte appends: copying the whole string each time allocates ~200 MB; with free space doubling
        // the arrays sum to a few times the final length.
        const int Appends = 20_000;
        Entry e = Entry.ForString("key"u8, 1, ""u8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Appends; i++)
        {
            e.GrowString(i + 1)[i] = (byte)('a' + (i % 26));
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 * Appends, $"allocated {allocated} bytes for {Appends} appends");
        Assert.Equal(Appends, e.StringLength);
        for (int i = 0; i < Appends; i++)
        {
            Assert.Equal((byte)('a' + (i % 26)), e.StringValue[i]);
        }
        Assert.True(e.Key.SequenceEqual("key"u8));

        // A SET afterwards stores the new value exactly (no free space carried over).
        e.SetString("x"u8);
        Assert.True(e.StringValue.SequenceEqual("x"u8));
    }
}
