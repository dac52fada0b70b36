using System.Buffers;
using System.Buffers.Binary;
using Amber.Diagnostics;
using Amber.Keyspace;

namespace Amber.Tests.Keyspace;

/// <summary>One key as a snapshot (or the dataset at its start) saw it: the value as its DEBUG DIGEST-VALUE.</summary>
internal readonly record struct KeyRecord(int Db, string Key, string Value, long ExpireAtMs)
{
    public override string ToString() => $"db{Db}:{Key}={Value[..8]}@{ExpireAtMs}";
}

/// <summary>
/// A sink that encodes each captured key at once (its value as a digest, so later in-place changes cannot leak in)
/// into a small framed format; <see cref="Parse"/> turns the consumer's bytes back into records. Frames: 'B' begin,
/// 'S' db(int32) first(byte) select, 'E' key(len+bytes) digest(len+bytes) expiry(int64), 'Z' end.
/// </summary>
internal sealed class DigestSink : ISnapshotSink
{
    public int Begins;
    public int Ends;
    public int Selects;

    /// <summary>Throws from WriteEntry when set (to test aborts).</summary>
    public Func<Entry, bool>? FailOn;

    public void Begin(IBufferWriter<byte> output)
    {
        Begins++;
        output.Write("B"u8);
    }

    public void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output)
    {
        Selects++;
        Span<byte> frame = output.GetSpan(6);
        frame[0] = (byte)'S';
        BinaryPrimitives.WriteInt32LittleEndian(frame[1..], database.Index);
        frame[5] = database.FirstVisit ? (byte)1 : (byte)0;
        output.Advance(6);
    }

    /// <summary>Under the lock: collections. Counted, to check which side encodes what.</summary>
    public int EntriesUnderLock;

    /// <summary>On the consumer: strings, from their copies.</summary>
    public int StringsFromCopies;

    /// <summary>Collections encoded under the lock on a thread-pool thread (the background walker must not be one).</summary>
    public int EntriesOnPoolThreads;

    public void WriteEntry(Entry entry, IBufferWriter<byte> output)
    {
        EntriesUnderLock++;
        EntriesOnPoolThreads += Thread.CurrentThread.IsThreadPoolThread ? 1 : 0;
        WriteFrame(entry, output);
    }

    public void WriteString(in CapturedString captured, IBufferWriter<byte> output)
    {
        StringsFromCopies++;
        Entry entry = Entry.ForString(captured.Key, 0, captured.Value);
        if (captured.ExpireAtMs != Entry.NoExpiry)
        {
            entry.Expiry.ExpireAtMs = captured.ExpireAtMs;
        }
        WriteFrame(entry, output);
    }

    private void WriteFrame(Entry entry, IBufferWriter<byte> output)
    {
        if (FailOn != null && FailOn(entry))
        {
            throw new IOException("sink failure on purpose");
        }
        string digest = DatasetDigest.ComputeValue(entry) ?? throw new InvalidOperationException("no digest");
        int length = 1 + 4 + entry.Key.Length + 4 + digest.Length + 8;
        Span<byte> frame = output.GetSpan(length);
        frame[0] = (byte)'E';
        BinaryPrimitives.WriteInt32LittleEndian(frame[1..], entry.Key.Length);
        entry.Key.CopyTo(frame[5..]);
        int at = 5 + entry.Key.Length;
        BinaryPrimitives.WriteInt32LittleEndian(frame[at..], digest.Length);
        System.Text.Encoding.ASCII.GetBytes(digest, frame[(at + 4)..]);
        at += 4 + digest.Length;
        BinaryPrimitives.WriteInt64LittleEndian(frame[at..], entry.ExpireAtMs);
        output.Advance(length);
    }

    public void End(IBufferWriter<byte> output)
    {
        Ends++;
        output.Write("Z"u8);
    }

    /// <summary>Decodes a complete stream; checks begin/end framing and that every database is announced once first.</summary>
    public static List<KeyRecord> Parse(ReadOnlySpan<byte> stream)
    {
        var records = new List<KeyRecord>();
        var firstSeen = new HashSet<int>();
        Assert.Equal((byte)'B', stream[0]);
        int at = 1;
        int db = -1;
        while (stream[at] != (byte)'Z')
        {
            switch (stream[at])
            {
                case (byte)'S':
                    int next = BinaryPrimitives.ReadInt32LittleEndian(stream[(at + 1)..]);
                    Assert.NotEqual(db, next);
                    db = next;
                    Assert.Equal(firstSeen.Add(db), stream[at + 5] == 1);
                    at += 6;
                    break;
                case (byte)'E':
                    Assert.True(db >= 0, "an entry before any database was selected");
                    int keyLength = BinaryPrimitives.ReadInt32LittleEndian(stream[(at + 1)..]);
                    string key = Convert.ToHexString(stream.Slice(at + 5, keyLength));
                    at += 5 + keyLength;
                    int digestLength = BinaryPrimitives.ReadInt32LittleEndian(stream[at..]);
                    string digest = System.Text.Encoding.ASCII.GetString(stream.Slice(at + 4, digestLength));
                    at += 4 + digestLength;
                    long expiry = BinaryPrimitives.ReadInt64LittleEndian(stream[at..]);
                    at += 8;
                    records.Add(new KeyRecord(db, key, digest, expiry));
                    break;
                default:
                    Assert.Fail($"bad frame byte {stream[at]} at {at}");
                    break;
            }
        }
        Assert.Equal(stream.Length - 1, at);
        return records;
    }
}

internal static class SnapshotAssert
{
    /// <summary>Every key of every database now (call under the keyspace lock, or with no server).</summary>
    public static List<KeyRecord> Dataset(IReadOnlyList<Database> databases)
    {
        var records = new List<KeyRecord>();
        foreach (Database db in databases)
        {
            foreach (Entry e in db.Table.All())
            {
                records.Add(new KeyRecord(db.Index, Convert.ToHexString(e.Key), DatasetDigest.ComputeValue(e)!, e.ExpireAtMs));
            }
        }
        return records;
    }

    /// <summary>The snapshot holds exactly the dataset at its start: every key once, with its value and expiry then.</summary>
    public static void SameDataset(List<KeyRecord> expected, List<KeyRecord> captured)
    {
        var seen = new HashSet<(int, string)>();
        foreach (KeyRecord r in captured)
        {
            Assert.True(seen.Add((r.Db, r.Key)), $"captured twice: {r}");
        }
        var want = expected.OrderBy(r => (r.Db, r.Key), Comparer<(int, string)>.Default).ToList();
        var got = captured.OrderBy(r => (r.Db, r.Key), Comparer<(int, string)>.Default).ToList();
        var missing = want.Except(got).Take(5).ToList();
        var extra = got.Except(want).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"snapshot differs from the dataset at its start ({want.Count} keys then, {got.Count} captured); " +
            $"missing/different: {string.Join(", ", missing)}; unexpected: {string.Join(", ", extra)}");
    }

    /// <summary>Collects the consumer's bytes (the test's "file").</summary>
    public sealed class ByteCollector
    {
        private readonly ArrayBufferWriter<byte> _bytes = new();

        public void Write(ReadOnlySpan<byte> data)
        {
            lock (_bytes)
            {
                _bytes.Write(data);
            }
        }

        /// <summary>Encodes and collects what the snapshot has published so far (the consumer side).</summary>
        public void DrainFrom(KeyspaceSnapshot snapshot) => snapshot.DrainReady(Write);

        public List<KeyRecord> Records() => DigestSink.Parse(_bytes.WrittenSpan);
    }
}
