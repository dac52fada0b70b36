using System.Text;
using Amber.Keyspace;
using Amber.Types;

namespace Amber.Tests.Keyspace;

/// <summary>
/// The fork-less snapshot on bare databases (no server, no sockets): every kind of table operation between walker
/// steps, and the snapshot must still be exactly the dataset at its start.
/// </summary>
public class SnapshotKeyspaceTests
{
    private const long Now = 1_700_000_000_000;

    private sealed class QuietEvents : KeyspaceEvents
    {
        public override Random Random { get; } = new(7);

        public override void OnExpired(Database db, Entry entry)
        {
        }
    }

    private static byte[] K(string s) => Encoding.ASCII.GetBytes(s);

    private static Database[] NewDatabases(int count)
    {
        var events = new QuietEvents();
        var dbs = new Database[count];
        for (int i = 0; i < count; i++)
        {
            dbs[i] = new Database(i, events);
        }
        return dbs;
    }

    private static byte[] RandomValue(Random rnd)
    {
        var v = new byte[rnd.Next(1, 24)];
        rnd.NextBytes(v);
        return v;
    }

    /// <summary>
    /// A string most of the time, else a small or (now and then) large collection of a random type: collections are
    /// their keys' entries, with their small encodings in the entry's array after the key, so replacing, renaming and
    /// growing them must leave the snapshot exact too.
    /// </summary>
    private static object RandomValueOrCollection(Random rnd)
    {
        if (rnd.Next(3) != 0)
        {
            return RandomValue(rnd);
        }
        object value = rnd.Next(4) switch
        {
            0 => new HashValue(),
            1 => rnd.Next(2) == 0 ? SetValue.CreateIntSet() : SetValue.CreateTable(),
            2 => new SortedSet(),
            _ => new QuickList(),
        };
        int elements = rnd.Next(8) == 0 ? rnd.Next(100, 300) : rnd.Next(1, 6);
        for (int i = 0; i < elements; i++)
        {
            Grow(rnd, (Entry)value);
        }
        return value;
    }

    /// <summary>Adds one element to a collection in place (as HSET, SADD, ZADD, RPUSH do after their lookup); past the small limits it converts.</summary>
    private static void Grow(Random rnd, Entry collection)
    {
        int n = rnd.Next(1000);
        byte[] element = K(rnd.Next(3) == 0 ? n.ToString() : "m" + n);
        switch (collection)
        {
            case HashValue hash:
                hash.Set(element, RandomValue(rnd), 128, 64);
                break;
            case SetValue set:
                set.Add(element, 512);
                break;
            case SortedSet zset:
                if (zset.Find(element) == SortedSet.Nil)
                {
                    zset.Insert(element, rnd.Next(100), ZSetLimits.Default);
                }
                break;
            case QuickList list:
                list.PushTail(element);
                break;
        }
    }

    /// <summary>Runs a snapshot to its end, calling <paramref name="between"/> (under the lock) before every step.</summary>
    private static List<KeyRecord> Snapshot(Database[] dbs, SnapshotOptions options, Action<KeyspaceSnapshot> between, DigestSink? sink = null)
    {
        object gate = new();
        var collector = new SnapshotAssert.ByteCollector();
        KeyspaceSnapshot snapshot;
        lock (gate)
        {
            snapshot = KeyspaceSnapshot.Start(dbs, gate, sink ?? new DigestSink(), options);
        }
        bool done = false;
        while (!done)
        {
            lock (gate)
            {
                between(snapshot);
                done = snapshot.Step();
            }
            collector.DrainFrom(snapshot);
        }
        Assert.Equal(SnapshotState.Completed, snapshot.State);
        Assert.True(snapshot.Completion.IsCompletedSuccessfully);
        Assert.Equal(snapshot.KeysTotal, snapshot.KeysProcessed);
        Assert.Equal(0, snapshot.Output.PendingBytes);
        return collector.Records();
    }

    private static SnapshotOptions Steps(int units) => new() { StepBudget = units, StepDuration = TimeSpan.FromMinutes(1) };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void RandomOperationsBetweenStepsLeaveTheSnapshotExact(int seed)
    {
        var rnd = new Random(seed);
        int startedMidRehash = 0;
        int resizedDuring = 0;
        int detachedEarly = 0;
        for (int iteration = 0; iteration < 40; iteration++)
        {
            Database[] dbs = NewDatabases(3);
            int fresh = 0;
            foreach (Database db in dbs)
            {
                int n = rnd.Next(0, 4) == 0 ? 0 : rnd.Next(1, 300);
                for (int i = 0; i < n; i++)
                {
                    Entry e = db.Set(K("k" + rnd.Next(400)), RandomValueOrCollection(rnd), Now);
                    if (rnd.Next(4) == 0)
                    {
                        // Some already past their time: logically expired, still in the table, still captured.
                        db.SetExpiry(e, Now + rnd.Next(-5000, 100000));
                    }
                }
                if (rnd.Next(2) == 0)
                {
                    db.Table.RehashFor(100);
                }
                startedMidRehash += db.Table.IsRehashing ? 1 : 0;
            }
            List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
            KeyTable[] original = Array.ConvertAll(dbs, d => d.Table);
            int[] bucketsAtStart = Array.ConvertAll(original, t => t.BucketCount);
            int steps = 0;
            List<KeyRecord> captured = Snapshot(dbs, Steps(rnd.Next(1, 40)), snapshot =>
            {
                steps++;
                int ops = rnd.Next(0, 5);
                for (int i = 0; i < ops; i++)
                {
                    RandomOperation(rnd, dbs, ref fresh);
                }
                for (int i = 0; i < original.Length; i++)
                {
                    detachedEarly += steps == 1 && original[i].Count > 0 && !original[i].IsCapturing ? 1 : 0;
                }
            });
            SnapshotAssert.SameDataset(expected, captured);
            for (int i = 0; i < original.Length; i++)
            {
                Assert.False(original[i].IsCapturing);
                Assert.False(original[i].ResizePaused);
                resizedDuring += original[i].BucketCount != bucketsAtStart[i] ? 1 : 0;
            }
        }
        // The run must have exercised the hard cases, or it proves little.
        Assert.True(startedMidRehash > 0, "no snapshot started during a rehash");
        Assert.True(resizedDuring > 0, "no table resized while a snapshot ran");
    }

    private static void RandomOperation(Random rnd, Database[] dbs, ref int fresh)
    {
        Database db = dbs[rnd.Next(dbs.Length)];
        byte[] key = K("k" + rnd.Next(400));
        switch (rnd.Next(17))
        {
            case 0:
            case 15:
                // Over a string or a collection, of the same type or another: a collection takes the old entry's place.
                db.Set(key, RandomValueOrCollection(rnd), Now);
                break;
            case 16:
                // A collection changed in place after its lookup (captured first), sometimes past its small encoding.
                if (db.Find(key, Now) is { IsString: false } collection)
                {
                    int times = rnd.Next(6) == 0 ? 150 : 1;
                    for (int i = 0; i < times; i++)
                    {
                        Grow(rnd, collection);
                    }
                }
                break;
            case 1:
            case 2:
                // In place, as SETRANGE/SETBIT do: only safe because the lookup captured the bucket first.
                if (db.Find(key, Now) is { IsString: true, StringLength: > 0 } bytes)
                {
                    bytes.WritableString[0] ^= 0xFF;
                }
                break;
            case 3:
                db.Delete(key);
                break;
            case 4:
                // A burst of new keys: grows the table past the forced-resize ratio in small tables.
                int burst = rnd.Next(20, 400);
                for (int i = 0; i < burst; i++)
                {
                    db.Add(K("n" + fresh++), RandomValueOrCollection(rnd));
                }
                break;
            case 5:
                if (db.Find(key, Now) is { } expiring)
                {
                    db.SetExpiry(expiring, Now - 1);
                    Assert.Null(db.Peek(key, Now));
                }
                break;
            case 6:
                db.ActiveExpire(Now, rnd, long.MaxValue);
                break;
            case 7:
                // RENAME: the value object moves to a new entry, then changes in place there.
                if (db.Find(key, Now) is { } source)
                {
                    db.Delete(key);
                    byte[] target = K("k" + rnd.Next(400));
                    db.Delete(target);
                    Entry moved = db.AddValueOf(target, source);
                    if (moved is { IsString: true, StringLength: > 0 })
                    {
                        moved.WritableString[^1] ^= 0x55;
                    }
                }
                break;
            case 8:
                if (rnd.Next(4) == 0)
                {
                    db.Clear();
                }
                break;
            case 9:
                Database other = dbs[rnd.Next(dbs.Length)];
                if (other != db)
                {
                    db.SwapContents(other);
                }
                break;
            case 10:
                if (db.RandomEntry(rnd) is { IsString: true, StringLength: > 0 } picked)
                {
                    picked.WritableString[0] ^= 0x0F;
                }
                break;
            case 11:
                var found = new List<Entry>();
                db.Table.Scan((ulong)rnd.Next(64), found);
                foreach (Entry e in found)
                {
                    if (e is { IsString: true, StringLength: > 0 })
                    {
                        e.WritableString[0] ^= 0x33;
                    }
                }
                break;
            case 12:
                db.Maintain(1);
                db.Table.ShrinkIfSparse();
                break;
            case 13:
                // MOVE to another database.
                Database to = dbs[rnd.Next(dbs.Length)];
                if (to != db && db.Find(key, Now) is { } moving && to.Find(key, Now) == null)
                {
                    db.Delete(key);
                    to.AddValueOf(key, moving);
                }
                break;
            case 14:
                if (db.Find(key, Now) is { } timed)
                {
                    if (rnd.Next(2) == 0)
                    {
                        db.SetExpiry(timed, Now + rnd.Next(1, 100000));
                    }
                    else
                    {
                        db.RemoveExpiry(timed);
                    }
                }
                break;
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void CollectionsChangedReplacedAndRenamedDuringASnapshotLeaveItExact(int seed)
    {
        // Every key a collection (the entry itself, its small encoding after the key in the entry's array).
        var rnd = new Random(seed);
        for (int iteration = 0; iteration < 10; iteration++)
        {
            Database[] dbs = NewDatabases(2);
            foreach (Database db in dbs)
            {
                for (int i = 0; i < 200; i++)
                {
                    object value;
                    do
                    {
                        value = RandomValueOrCollection(rnd);
                    }
                    while (value is byte[]);
                    db.Set(K("k" + i), value, Now);
                }
            }
            List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
            List<KeyRecord> captured = Snapshot(dbs, Steps(rnd.Next(5, 30)), _ =>
            {
                for (int op = 0; op < 4; op++)
                {
                    Database db = dbs[rnd.Next(dbs.Length)];
                    byte[] key = K("k" + rnd.Next(200));
                    switch (rnd.Next(4))
                    {
                        case 0:
                        case 1:
                            if (db.Find(key, Now) is { IsString: false } collection)
                            {
                                int times = rnd.Next(8) == 0 ? 150 : 1;
                                for (int i = 0; i < times; i++)
                                {
                                    Grow(rnd, collection);
                                }
                            }
                            break;
                        case 2:
                            db.Set(key, RandomValueOrCollection(rnd), Now);
                            break;
                        case 3:
                            if (db.Find(key, Now) is { } source)
                            {
                                db.Delete(key);
                                byte[] target = K("k" + rnd.Next(200));
                                db.Delete(target);
                                if (db.AddValueOf(target, source) is { IsString: false } moved)
                                {
                                    Grow(rnd, moved);
                                }
                            }
                            break;
                    }
                }
            });
            SnapshotAssert.SameDataset(expected, captured);
        }
    }

    [Fact]
    public void ForcedResizeWhilePausedCapturesTheWholeTableFirst()
    {
        Database[] dbs = NewDatabases(1);
        Database db = dbs[0];
        for (int i = 0; i < 16; i++)
        {
            db.Add(K("k" + i), K("v" + i));
        }
        db.Table.RehashFor(100);
        int buckets = db.Table.BucketCount;
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        KeyTable table = db.Table;
        bool grown = false;
        List<KeyRecord> captured = Snapshot(dbs, Steps(1), snapshot =>
        {
            if (grown)
            {
                return;
            }
            grown = true;
            // Resizing is paused: the table takes a load of 5 per bucket before it must grow.
            for (int i = 0; i < buckets * 5; i++)
            {
                db.Add(K("n" + i), K("x"));
            }
            Assert.True(table.IsCapturing);
            Assert.Equal(buckets, table.BucketCount);
            db.Add(K("last"), K("x"));
            db.Add(K("last2"), K("x"));
            Assert.False(table.IsCapturing);
            Assert.True(table.BucketCount > buckets);
            Assert.Equal(16, snapshot.KeysProcessed);
            for (int i = 0; i < 16; i++)
            {
                db.Find(K("k" + i), Now)!.WritableString[0] = (byte)'X';
            }
        });
        SnapshotAssert.SameDataset(expected, captured);
    }

    [Fact]
    public void ARehashUnderWayAtTheStartStaysFrozenAndBothArraysAreCaptured()
    {
        Database[] dbs = NewDatabases(1);
        Database db = dbs[0];
        int i = 0;
        while (!db.Table.IsRehashing || i < 40)
        {
            db.Add(K("k" + i++), K("v"));
        }
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        int buckets = db.Table.BucketCount;
        List<KeyRecord> captured = Snapshot(dbs, Steps(3), snapshot =>
        {
            db.Maintain(5);
            for (int j = 0; j < i; j += 3)
            {
                if (db.Find(K("k" + j), Now) is { IsString: true } v)
                {
                    v.WritableString[0] = (byte)'Z';
                }
            }
            db.Delete(K("k1"));
            db.Add(K("k" + i++), K("new"));
            if (snapshot.IsRunning && db.Table.IsCapturing)
            {
                Assert.True(db.Table.IsRehashing);
                Assert.Equal(buckets, db.Table.BucketCount);
            }
        });
        SnapshotAssert.SameDataset(expected, captured);
    }

    [Fact]
    public void AFrozenRehashResumesOnceTheLoadIsTooHighAfterTheTableIsCaptured()
    {
        Database[] dbs = NewDatabases(1);
        Database db = dbs[0];
        int i = 0;
        while (!db.Table.IsRehashing || i < 40)
        {
            db.Add(K("k" + i++), K("v"));
        }
        int originals = i;
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        KeyTable table = db.Table;
        bool loaded = false;
        List<KeyRecord> captured = Snapshot(dbs, Steps(1), snapshot =>
        {
            if (loaded)
            {
                return;
            }
            loaded = true;
            int buckets = table.BucketCount;
            while (table.IsCapturing)
            {
                db.Add(K("k" + i++), K("more"));
                Assert.True(i < buckets * 10, "the frozen rehash never resumed");
            }
            Assert.Equal(originals, snapshot.KeysProcessed);
            for (int j = 0; j < originals; j++)
            {
                db.Find(K("k" + j), Now)!.WritableString[0] = (byte)'!';
            }
            table.RehashFor(100);
            Assert.False(table.IsRehashing);
        });
        SnapshotAssert.SameDataset(expected, captured);
    }

    [Fact]
    public void FlushAndSwapAttributeEachTableToItsDatabaseAtTheStart()
    {
        Database[] dbs = NewDatabases(3);
        dbs[0].Add(K("a"), K("in0"));
        dbs[1].Add(K("b"), K("in1"));
        dbs[2].Add(K("c"), K("in2"));
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        bool once = false;
        List<KeyRecord> captured = Snapshot(dbs, Steps(1), snapshot =>
        {
            if (once)
            {
                return;
            }
            once = true;
            dbs[0].SwapContents(dbs[1]);
            // db0 now holds db1's old table: a change there is captured as db1's key.
            dbs[0].Find(K("b"), Now)!.WritableString[0] = (byte)'#';
            dbs[0].Add(K("late"), K("x"));
            dbs[1].Clear();
            dbs[1].Add(K("a"), K("replaced"));
            dbs[2].Clear();
        });
        SnapshotAssert.SameDataset(expected, captured);
    }

    [Fact]
    public void ClearingATableWhileCapturingHandsOverItsKeysFirst()
    {
        Database[] dbs = NewDatabases(1);
        for (int i = 0; i < 50; i++)
        {
            dbs[0].Add(K("k" + i), K("v" + i));
        }
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        List<KeyRecord> captured = Snapshot(dbs, Steps(2), snapshot =>
        {
            if (dbs[0].Table.IsCapturing)
            {
                dbs[0].Table.Clear();
                Assert.False(dbs[0].Table.IsCapturing);
            }
        });
        SnapshotAssert.SameDataset(expected, captured);
    }

    [Fact]
    public void AnEmptyKeyspaceGivesBeginAndEndOnly()
    {
        Database[] dbs = NewDatabases(4);
        var sink = new DigestSink();
        List<KeyRecord> captured = Snapshot(dbs, SnapshotOptions.Default, _ => { }, sink);
        Assert.Empty(captured);
        Assert.Equal((1, 1, 0), (sink.Begins, sink.Ends, sink.Selects));
    }

    private static HashValue Hash(string field, string value)
    {
        var hash = new HashValue();
        hash.Set(K(field), K(value), 128, 64);
        return hash;
    }

    [Fact]
    public void ASinkFailureOnTheRequestPathAbortsTheSnapshotButNotTheOperation()
    {
        Database[] dbs = NewDatabases(2);
        for (int i = 0; i < 100; i++)
        {
            // Collections are encoded by the sink under the lock, at capture.
            dbs[i % 2].Add(K("k" + i), Hash("f", "v" + i));
        }
        object gate = new();
        var sink = new DigestSink { FailOn = e => e.Key.SequenceEqual("k42"u8) };
        lock (gate)
        {
            KeyspaceSnapshot snapshot = KeyspaceSnapshot.Start(dbs, gate, sink, Steps(1));
            Assert.NotNull(dbs[0].Find(K("k42"), Now));
            Assert.Equal(SnapshotState.Aborted, snapshot.State);
            Assert.IsType<IOException>(snapshot.Error);
            Assert.True(snapshot.Completion.IsFaulted);
            Assert.False(dbs[0].Table.IsCapturing || dbs[1].Table.IsCapturing);
            Assert.False(dbs[0].Table.ResizePaused || dbs[1].Table.ResizePaused);
            Assert.True(snapshot.Step());
            // The pooled chunks were returned and the consumer learns of the abort.
            Assert.Equal(0, snapshot.Output.PendingBytes);
            var read = snapshot.Output.WaitToReadAsync().AsTask();
            Assert.IsType<SnapshotAbortedException>(Assert.Throws<AggregateException>(() => read.Wait()).InnerException);
            Assert.Throws<SnapshotAbortedException>(() => snapshot.DrainReady(_ => { }));
            // Another snapshot can start at once.
            KeyspaceSnapshot next = KeyspaceSnapshot.Start(dbs, gate, new DigestSink(), Steps(1));
            Assert.Throws<InvalidOperationException>(() => KeyspaceSnapshot.Start(dbs, gate, new DigestSink()));
            next.Abort();
        }
    }

    [Fact]
    public void StringsAreCopiedUnderTheLockAndEncodedByTheConsumerCollectionsAtCapture()
    {
        Database[] dbs = NewDatabases(1);
        for (int i = 0; i < 50; i++)
        {
            dbs[0].Add(K("s" + i), K("value" + i));
            dbs[0].Add(K("h" + i), Hash("f", "v" + i));
        }
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        object gate = new();
        var sink = new DigestSink();
        var collector = new SnapshotAssert.ByteCollector();
        KeyspaceSnapshot snapshot;
        lock (gate)
        {
            snapshot = KeyspaceSnapshot.Start(dbs, gate, sink, Steps(10));
            // Captured by the walker or on the request path: nothing is encoded until the consumer runs, except the
            // collections, which may change in place after their capture.
            while (!snapshot.Step())
            {
                if (dbs[0].Find(K("s7"), Now) is { IsString: true } s7)
                {
                    s7.WritableString[0] = (byte)'X';
                }
                if (dbs[0].Find(K("h7"), Now)?.Value is HashValue h7)
                {
                    h7.Set(K("f"), K("changed"), 128, 64);
                }
            }
            Assert.Equal((0, 50, 0), (sink.StringsFromCopies, sink.EntriesUnderLock, sink.Begins));
        }
        collector.DrainFrom(snapshot);
        SnapshotAssert.SameDataset(expected, collector.Records());
        Assert.Equal((50, 50, 1, 1), (sink.StringsFromCopies, sink.EntriesUnderLock, sink.Begins, sink.Ends));
    }

    [Fact]
    public void ASinkFailureOnTheConsumerAbortsTheSnapshot()
    {
        Database[] dbs = NewDatabases(1);
        for (int i = 0; i < 100; i++)
        {
            dbs[0].Add(K("k" + i), K("v" + i));
        }
        object gate = new();
        // The first record the consumer encodes fails: a named key could fall in the walk's last chunk (the table's
        // order follows the per-process hash key), and the walk would then be complete before the consumer failed.
        var sink = new DigestSink { FailOn = _ => true };
        KeyspaceSnapshot snapshot;
        lock (gate)
        {
            // Small chunks, so that the consumer gets records (and fails) while the walker still has keys to go.
            snapshot = KeyspaceSnapshot.Start(dbs, gate, sink, Steps(1) with { ChunkSize = 256 });
        }
        var collector = new SnapshotAssert.ByteCollector();
        bool failed = false;
        bool done = false;
        while (!done && !failed)
        {
            lock (gate)
            {
                done = snapshot.Step();
            }
            try
            {
                collector.DrainFrom(snapshot);
            }
            catch (IOException)
            {
                failed = true;
            }
        }
        Assert.True(failed);
        Assert.Equal(SnapshotState.Aborted, snapshot.State);
        Assert.IsType<IOException>(snapshot.Error);
        Assert.False(dbs[0].Table.IsCapturing || dbs[0].Table.ResizePaused);
        Assert.Equal(0, snapshot.Output.PendingBytes);
        Assert.Throws<SnapshotAbortedException>(() => collector.DrainFrom(snapshot));
    }

    [Fact]
    public void SmallStepsShareChunksAndFreedChunksAreReused()
    {
        Database[] dbs = NewDatabases(1);
        for (int i = 0; i < 3000; i++)
        {
            dbs[0].Add(K("key" + i), K("value " + i));
        }
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        const int chunkSize = 4096;
        object gate = new();
        var collector = new SnapshotAssert.ByteCollector();
        KeyspaceSnapshot snapshot;
        lock (gate)
        {
            snapshot = KeyspaceSnapshot.Start(dbs, gate, new DigestSink(), Steps(4) with { ChunkSize = chunkSize });
        }
        bool done = false;
        while (!done)
        {
            lock (gate)
            {
                done = snapshot.Step();
            }
            collector.DrainFrom(snapshot);
        }
        SnapshotAssert.SameDataset(expected, collector.Records());
        SnapshotBuffer output = snapshot.Output;
        Assert.True(output.TotalBytes > 20 * chunkSize, $"only {output.TotalBytes} bytes");
        // A step of 4 keys writes ~100 bytes: publishing each step's chunk would hand over one chunk per step.
        Assert.True(output.ChunksPublished <= output.TotalBytes / (chunkSize / 2) + 1, $"{output.ChunksPublished} chunks for {output.TotalBytes} bytes");
        // The consumer frees every chunk before the next fills up: the same one or two arrays go round.
        Assert.True(output.ChunksAllocated <= 2, $"{output.ChunksAllocated} chunks allocated");
    }

    [Fact]
    public void StartRequiresTheKeyspaceLock()
    {
        Database[] dbs = NewDatabases(1);
        Assert.Throws<InvalidOperationException>(() => KeyspaceSnapshot.Start(dbs, new object(), new DigestSink()));
    }

    [Fact]
    public void ForegroundRunWritesEverythingHoldingTheLock()
    {
        Database[] dbs = NewDatabases(2);
        for (int i = 0; i < 5000; i++)
        {
            dbs[i % 2].Add(K("k" + i), K("value " + i));
        }
        List<KeyRecord> expected = SnapshotAssert.Dataset(dbs);
        object gate = new();
        var collector = new SnapshotAssert.ByteCollector();
        lock (gate)
        {
            KeyspaceSnapshot snapshot = KeyspaceSnapshot.Start(dbs, gate, new DigestSink(), new SnapshotOptions { ChunkSize = 4096 });
            snapshot.RunToCompletion(collector.Write);
            Assert.Equal(SnapshotState.Completed, snapshot.State);
            Assert.Equal(0, snapshot.Output.PendingBytes);
        }
        SnapshotAssert.SameDataset(expected, collector.Records());
    }
}
