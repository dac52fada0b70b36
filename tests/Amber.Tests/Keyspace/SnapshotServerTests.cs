using System.Diagnostics;
using Amber.Keyspace;
using Amber.Server;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests.Keyspace;

/// <summary>
/// The fork-less snapshot in a running server, with real clients changing the dataset while it is taken: the result
/// must be exactly the dataset at the start, the server must keep answering, and failures must abort cleanly.
/// </summary>
public class SnapshotServerTests
{
    private const int Databases = 3;

    /// <summary>Fills strings, hashes, lists, sets (intset and hashtable) and sorted sets, some with a TTL, in dbs 0..2.</summary>
    private static async Task PopulateAsync(ConnectionMultiplexer mux, Random rnd, int keysPerDb)
    {
        for (int d = 0; d < Databases; d++)
        {
            IDatabase db = mux.GetDatabase(d);
            var pending = new List<Task>();
            for (int i = 0; i < keysPerDb; i++)
            {
                int n = rnd.Next(60);
                switch (rnd.Next(6))
                {
                    case 0:
                        pending.Add(db.ExecuteAsync("SET", "s:" + n, "v" + rnd.Next(1000)));
                        break;
                    case 1:
                        pending.Add(db.ExecuteAsync("HSET", "h:" + n, "f" + rnd.Next(20), rnd.Next(100)));
                        break;
                    case 2:
                        pending.Add(db.ExecuteAsync("RPUSH", "l:" + n, rnd.Next(100), "e" + rnd.Next(10)));
                        break;
                    case 3:
                        pending.Add(db.ExecuteAsync("SADD", "S:" + n, rnd.Next(2) == 0 ? rnd.Next(100) : "m" + rnd.Next(100)));
                        break;
                    case 4:
                        pending.Add(db.ExecuteAsync("ZADD", "z:" + n, rnd.Next(50), "m" + rnd.Next(40)));
                        break;
                    case 5:
                        pending.Add(db.ExecuteAsync("PEXPIRE", "s:" + n, rnd.Next(20, 5000)));
                        break;
                }
            }
            await Task.WhenAll(pending);
        }
    }

    /// <summary>One command that changes (or reads) the dataset in some way; errors such as WRONGTYPE are fine.</summary>
    private static async Task RandomCommandAsync(ConnectionMultiplexer mux, TestServer server, Random rnd, int[] fresh, bool blocking = true)
    {
        IDatabase db = mux.GetDatabase(rnd.Next(Databases));
        string n = rnd.Next(60).ToString();
        string m = rnd.Next(60).ToString();
        string[] prefixes = ["s:", "h:", "l:", "S:", "z:"];
        string p = prefixes[rnd.Next(prefixes.Length)];
        object[] command = rnd.Next(34) switch
        {
            0 => ["SET", "s:" + n, "new" + rnd.Next()],
            1 => ["APPEND", "s:" + n, "tail"],
            2 => ["SETRANGE", "s:" + n, 1, "zz"],
            3 => ["SETBIT", "s:" + n, rnd.Next(40), 1],
            4 => ["INCR", "c:" + n],
            5 => ["DEL", p + n],
            6 => ["PEXPIRE", p + n, rnd.Next(1, 30)],
            7 => ["RENAME", p + n, p + m],
            8 => ["MOVE", p + n, rnd.Next(Databases)],
            9 => ["COPY", p + n, p + m, "DB", rnd.Next(Databases), "REPLACE"],
            10 => rnd.Next(6) == 0 ? ["SWAPDB", rnd.Next(Databases), rnd.Next(Databases)] : ["PING"],
            11 => rnd.Next(10) == 0 ? ["FLUSHDB"] : ["PING"],
            12 => ["HSET", "h:" + n, "f" + rnd.Next(20), "x" + rnd.Next()],
            13 => ["HDEL", "h:" + n, "f" + rnd.Next(20)],
            14 => ["HINCRBY", "h:" + n, "f" + rnd.Next(20), 3],
            15 => ["LPUSH", "l:" + n, "pushed"],
            16 => ["RPOP", "l:" + n],
            17 => ["LSET", "l:" + n, 0, "lset"],
            18 => ["LMOVE", "l:" + n, "l:" + m, "LEFT", "RIGHT"],
            19 => ["SADD", "S:" + n, "added" + rnd.Next(5)],
            20 => ["SREM", "S:" + n, rnd.Next(100)],
            21 => ["SPOP", "S:" + n],
            22 => ["SMOVE", "S:" + n, "S:" + m, rnd.Next(100)],
            23 => ["ZADD", "z:" + n, rnd.Next(50), "m" + rnd.Next(40)],
            24 => ["ZINCRBY", "z:" + n, 2.5, "m" + rnd.Next(40)],
            25 => ["ZPOPMIN", "z:" + n],
            26 => ["SORT", "l:" + n, "ALPHA", "STORE", "l:" + m],
            27 => ["GETDEL", "s:" + n],
            28 => ["GETEX", "s:" + n, "PX", rnd.Next(1, 50)],
            29 => ["RANDOMKEY"],
            30 => ["SCAN", rnd.Next(64), "COUNT", 20],
            31 => ["GET", "s:" + n],
            32 => ["HINCRBYFLOAT", "h:" + n, "f" + rnd.Next(20), 1.5],
            _ => ["LINSERT", "l:" + n, "BEFORE", "pushed", "ins"],
        };
        if (rnd.Next(40) == 0)
        {
            // A burst of new keys: grows tables, past the forced-resize ratio when they are small.
            var burst = new List<Task>();
            for (int i = 0; i < 300; i++)
            {
                burst.Add(db.ExecuteAsync("SET", "b:" + fresh[0]++, "x"));
            }
            await Task.WhenAll(burst);
            return;
        }
        if (blocking && rnd.Next(60) == 0)
        {
            // A blocking pop served by a push: the served pop changes the list through the table too.
            string queue = "q:" + fresh[0]++;
            IDatabase blocker = server.Connect().GetDatabase(db.Database);
            Task<RedisResult> pop = blocker.ExecuteAsync("BLPOP", queue, 5);
            await server.WaitForBlockedClientsAsync(1);
            await db.ExecuteAsync("RPUSH", queue, "served", "kept");
            Assert.Equal("served", ((RedisResult[])(await pop)!)[1].ToString());
            return;
        }
        try
        {
            await db.ExecuteAsync((string)command[0], command[1..]);
        }
        catch (RedisServerException)
        {
        }
    }

    private static List<KeyRecord> DatasetNow(AmberServer s)
    {
        lock (s.KeyspaceLock)
        {
            return SnapshotAssert.Dataset(s.Databases);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task ClientCommandsBetweenWalkerStepsLeaveTheSnapshotExact(int seed)
    {
        await using TestServer server = TestServer.Start(c => c.Databases = Databases);
        ConnectionMultiplexer mux = server.Connect();
        AmberServer s = server.Server;
        var rnd = new Random(seed);
        int[] fresh = [0];
        for (int round = 0; round < 4; round++)
        {
            await PopulateAsync(mux, rnd, rnd.Next(20, 250));
            List<KeyRecord> expected;
            KeyspaceSnapshot snapshot;
            lock (s.KeyspaceLock)
            {
                expected = SnapshotAssert.Dataset(s.Databases);
                snapshot = s.StartSnapshot(new DigestSink(), new SnapshotOptions { StepBudget = rnd.Next(2, 30), StepDuration = TimeSpan.FromMinutes(1) });
            }
            var collector = new SnapshotAssert.ByteCollector();
            bool done = false;
            while (!done)
            {
                int commands = rnd.Next(0, 4);
                for (int i = 0; i < commands; i++)
                {
                    await RandomCommandAsync(mux, server, rnd, fresh);
                }
                lock (s.KeyspaceLock)
                {
                    done = snapshot.Step();
                }
                collector.DrainFrom(snapshot);
            }
            Assert.Equal(SnapshotState.Completed, snapshot.State);
            Assert.Null(s.RunningSnapshot);
            SnapshotAssert.SameDataset(expected, collector.Records());
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task ConcurrentClientsDuringABackgroundSnapshotLeaveItExact(int seed)
    {
        await using TestServer server = TestServer.Start(c => c.Databases = Databases);
        AmberServer s = server.Server;
        var rnd = new Random(seed);
        await PopulateAsync(server.Connect(), rnd, 2000);
        lock (s.KeyspaceLock)
        {
            for (int i = 0; i < 10_000; i++)
            {
                s.Databases[i % Databases].Add(System.Text.Encoding.ASCII.GetBytes("bulk:" + i), System.Text.Encoding.ASCII.GetBytes("v" + i));
            }
        }
        // Connected before the snapshot starts: connecting can take longer than the walk on a busy test machine, and
        // the clients must write while it runs.
        ConnectionMultiplexer[] muxes = [server.Connect(), server.Connect(), server.Connect()];
        List<KeyRecord> expected;
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            expected = SnapshotAssert.Dataset(s.Databases);
            // Small steps so the walk spans many lock releases while the clients write, and a slow consumer with a
            // small limit so it lasts (a capture only copies: unthrottled, 12k keys take a few milliseconds).
            snapshot = s.StartSnapshot(new DigestSink(), new SnapshotOptions { StepBudget = 24, PendingLimit = 8192, ChunkSize = 1024 });
        }
        var collector = new SnapshotAssert.ByteCollector();
        Task producer = snapshot.RunOnOwnThread();
        Task consumer = Task.Run(() => snapshot.WriteToAsync(data =>
        {
            collector.Write(data);
            Thread.Sleep(5);
        }));
        int[] fresh = [0];
        int commandsRun = 0;
        var clients = Enumerable.Range(0, muxes.Length).Select(c => Task.Run(async () =>
        {
            ConnectionMultiplexer mux = muxes[c];
            var local = new Random(seed * 100 + c);
            int[] mine = [c * 1_000_000];
            while (!snapshot.Completion.IsCompleted)
            {
                await RandomCommandAsync(mux, server, local, mine, blocking: false);
                Interlocked.Increment(ref commandsRun);
            }
        })).ToArray();
        await Task.WhenAll(producer, consumer);
        await Task.WhenAll(clients);
        Assert.True(commandsRun > 20, $"only {commandsRun} commands ran during the snapshot");
        SnapshotAssert.SameDataset(expected, collector.Records());
    }

    [Fact]
    public async Task TheBackgroundWalkerAndABlockingConsumerUseNoPoolThread()
    {
        // Pool work items per walker step woke pool workers that spun for more work on the CPUs the clients need
        // (docs/benchmarks.md, "Session 6"): the walker sleeps on a thread of its own, and so does a blocking consumer.
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        IDatabase client = server.Db();
        for (int i = 0; i < 300; i++)
        {
            await client.HashSetAsync("h" + i, "f", i);
        }
        var sink = new DigestSink();
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(sink, new SnapshotOptions { StepBudget = 8, PendingLimit = 1024, ChunkSize = 256 });
        }
        var collector = new SnapshotAssert.ByteCollector();
        Task producer = snapshot.RunOnOwnThread();
        var consumer = new Thread(() => snapshot.WriteTo(collector.Write));
        consumer.Start();
        Assert.True(consumer.Join(TimeSpan.FromSeconds(30)), "the consumer did not finish");
        await producer;
        Assert.Equal(300, sink.EntriesUnderLock);
        Assert.Equal(0, sink.EntriesOnPoolThreads);
        Assert.Equal(300, collector.Records().Count);
        Assert.True(snapshot.Steps > 10, $"the walk took only {snapshot.Steps} steps");
    }

    [Fact]
    public async Task TheServerKeepsAnsweringWhileA200kKeySnapshotRuns()
    {
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        lock (s.KeyspaceLock)
        {
            Database db = s.Databases[0];
            for (int i = 0; i < 200_000; i++)
            {
                db.Add(System.Text.Encoding.ASCII.GetBytes("key:" + i), System.Text.Encoding.ASCII.GetBytes("value:" + i));
            }
        }
        IDatabase client = server.Db();
        await client.PingAsync();
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(new DigestSink());
        }
        long bytes = 0;
        var walk = Stopwatch.StartNew();
        Task producer = snapshot.RunOnOwnThread();
        Task consumer = Task.Run(() => snapshot.WriteToAsync(data => bytes += data.Length));
        int answered = 0;
        int answeredMidway = 0;
        TimeSpan slowest = TimeSpan.Zero;
        while (!snapshot.Completion.IsCompleted)
        {
            var call = Stopwatch.StartNew();
            await client.StringSetAsync("probe", answered);
            slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
            answered++;
            long processed = snapshot.KeysProcessed;
            if (processed > 0 && processed < snapshot.KeysTotal)
            {
                answeredMidway++;
            }
        }
        await Task.WhenAll(producer, consumer);
        walk.Stop();
        Assert.Equal(200_000, snapshot.KeysTotal);
        Assert.Equal(200_000, snapshot.KeysProcessed);
        Assert.True(snapshot.Steps > 20, $"the walker held the lock in only {snapshot.Steps} steps");
        // Not stop-the-world: the client's commands ran between the walker's steps while keys were being captured.
        // (Latency itself is reported, not asserted: the test machine is shared.)
        Assert.True(answeredMidway >= 10,
            $"{answered} answers, {answeredMidway} while keys were being captured, slowest {slowest.TotalMilliseconds} ms, walk {walk.ElapsedMilliseconds} ms");
        Assert.True(bytes > 200_000 * 50);
    }

    [Fact]
    public async Task TheWalkerWaitsForASlowConsumerAndPeakPendingBytesAreTracked()
    {
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        lock (s.KeyspaceLock)
        {
            for (int i = 0; i < 20_000; i++)
            {
                s.Databases[0].Add(System.Text.Encoding.ASCII.GetBytes("key:" + i), System.Text.Encoding.ASCII.GetBytes("v"));
            }
        }
        const int limit = 16 * 1024;
        const int chunk = 4096;
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(new DigestSink(), new SnapshotOptions { PendingLimit = limit, ChunkSize = chunk, StepBudget = 40 });
        }
        long maxSeenPending = 0;
        Task producer = snapshot.RunOnOwnThread();
        Task consumer = Task.Run(() => snapshot.WriteToAsync(_ =>
        {
            maxSeenPending = Math.Max(maxSeenPending, snapshot.Output.PendingBytes);
            Thread.Sleep(1); // a slow disk
        }));
        await Task.WhenAll(producer, consumer);
        // One step captures at most 40 records of ~36 bytes: the walker stopped while the consumer was behind.
        Assert.True(snapshot.Output.TotalBytes > 20_000 * 30);
        Assert.True(snapshot.Output.PeakPendingBytes <= limit + 2 * chunk + 40 * 50, $"peak {snapshot.Output.PeakPendingBytes}");
        Assert.True(snapshot.Output.PeakPendingBytes >= maxSeenPending);
        Assert.True(snapshot.Output.PeakPendingBytes > limit / 2);
        Assert.Equal(0, snapshot.Output.PendingBytes);
    }

    [Fact]
    public async Task RequestPathCapturesMayExceedTheLimitAndTheirPeakIsReported()
    {
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        lock (s.KeyspaceLock)
        {
            for (int i = 0; i < 5000; i++)
            {
                s.Databases[0].Add(System.Text.Encoding.ASCII.GetBytes("key:" + i), new byte[100]);
            }
        }
        var sink = new DigestSink();
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(sink, new SnapshotOptions { PendingLimit = 4096, ChunkSize = 1024 });
        }
        // Nobody consumes yet: every key a client touches is captured into the buffer regardless of the limit.
        IDatabase db = server.Db();
        var touches = new List<Task>();
        for (int i = 0; i < 5000; i++)
        {
            touches.Add(db.StringAppendAsync("key:" + i, "!"));
        }
        await Task.WhenAll(touches);
        Assert.Equal(5000, snapshot.KeysProcessed);
        Assert.True(snapshot.Output.PeakPendingBytes > 5000 * 60);
        // Past the limit the copies stop: strings are encoded under the lock, on the requests' time.
        Assert.True(sink.EntriesUnderLock > 4500, $"{sink.EntriesUnderLock} strings encoded at capture");
        var collector = new SnapshotAssert.ByteCollector();
        await Task.WhenAll(snapshot.RunOnOwnThread(), Task.Run(() => snapshot.WriteToAsync(collector.Write)));
        Assert.Equal(5000, collector.Records().Count);
    }

    [Fact]
    public async Task AConsumerFailureAbortsTheSnapshotAndTheServerCarriesOn()
    {
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        IDatabase db = server.Db();
        var sets = new List<Task>();
        for (int i = 0; i < 20_000; i++)
        {
            sets.Add(db.StringSetAsync("key:" + i, i));
        }
        await Task.WhenAll(sets);
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            // A small limit keeps the walker behind the consumer, so it is still running when the consumer fails.
            snapshot = s.StartSnapshot(new DigestSink(), new SnapshotOptions { StepBudget = 100, ChunkSize = 4096, PendingLimit = 16 * 1024 });
            Assert.Throws<InvalidOperationException>(() => s.StartSnapshot(new DigestSink()));
        }
        long written = 0;
        Task producer = snapshot.RunOnOwnThread();
        Task consumer = Task.Run(() => snapshot.WriteToAsync(data =>
        {
            written += data.Length;
            if (written > 64 * 1024)
            {
                throw new IOException("No space left on device");
            }
        }));
        await Assert.ThrowsAsync<IOException>(() => consumer);
        SnapshotAbortedException aborted = await Assert.ThrowsAsync<SnapshotAbortedException>(() => producer);
        Assert.IsType<IOException>(aborted.InnerException);
        Assert.Equal(SnapshotState.Aborted, snapshot.State);
        Assert.Null(s.RunningSnapshot);
        lock (s.KeyspaceLock)
        {
            Assert.All(s.Databases, d => Assert.False(d.Table.IsCapturing || d.Table.ResizePaused));
        }
        Assert.Equal(0, snapshot.Output.PendingBytes);
        Assert.Equal("7", (string?)await db.StringGetAsync("key:7"));

        // And the next snapshot works.
        List<KeyRecord> expected = DatasetNow(s);
        KeyspaceSnapshot next;
        lock (s.KeyspaceLock)
        {
            next = s.StartSnapshot(new DigestSink());
        }
        var collector = new SnapshotAssert.ByteCollector();
        await Task.WhenAll(next.RunOnOwnThread(), Task.Run(() => next.WriteToAsync(collector.Write)));
        SnapshotAssert.SameDataset(expected, collector.Records());
    }

    [Fact]
    public async Task ShutdownAbortsARunningSnapshot()
    {
        TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        lock (s.KeyspaceLock)
        {
            s.Databases[0].Add("k"u8.ToArray(), "v"u8.ToArray());
        }
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(new DigestSink());
        }
        Task consumer = snapshot.WriteToAsync(_ => { });
        await server.DisposeAsync();
        Assert.Equal(SnapshotState.Aborted, snapshot.State);
        await Assert.ThrowsAsync<SnapshotAbortedException>(() => snapshot.RunOnOwnThread());
        await Assert.ThrowsAsync<SnapshotAbortedException>(() => consumer);
        Assert.False(s.Databases[0].Table.IsCapturing);
    }

    [Fact]
    public async Task ProgressCountersMoveAsTheWalkerSteps()
    {
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        AddKeys(s, 1000, databases: 4);
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(new DigestSink(), new SnapshotOptions { StepBudget = 200 });
            Assert.Same(snapshot, s.RunningSnapshot);
            Assert.Equal(1000, snapshot.KeysTotal);
            Assert.Equal(0, snapshot.KeysProcessed);
            Assert.False(snapshot.Step());
            Assert.InRange(snapshot.KeysProcessed, 1, 999);
        }
        var collector = new SnapshotAssert.ByteCollector();
        await Task.WhenAll(snapshot.RunOnOwnThread(), Task.Run(() => snapshot.WriteToAsync(collector.Write)));
        Assert.Equal(1000, snapshot.KeysProcessed);
        Assert.Equal(1000, collector.Records().Count);
    }

    [Fact]
    public async Task RequestsAloneWalkTheSnapshotWhileClientsAreServed()
    {
        await using TestServer server = TestServer.Start();
        AmberServer s = server.Server;
        AddKeys(s, 1000, databases: 1);
        KeyspaceSnapshot snapshot;
        lock (s.KeyspaceLock)
        {
            snapshot = s.StartSnapshot(new DigestSink(), new SnapshotOptions { StepBudget = 50, AssistInterval = TimeSpan.Zero });
        }
        // No background walker: only the steps taken after each batch of requests (Assist) can finish the walk.
        var collector = new SnapshotAssert.ByteCollector();
        Task consumer = Task.Run(() => snapshot.WriteToAsync(collector.Write));
        using RawClient client = server.Raw();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!snapshot.Completion.IsCompleted && DateTime.UtcNow < deadline)
        {
            Assert.Equal("+PONG\r\n", client.Call("PING"));
        }
        Assert.True(snapshot.Completion.IsCompletedSuccessfully, $"the request path captured only {snapshot.KeysProcessed} of 1000 keys");
        await consumer;
        Assert.Equal(1000, collector.Records().Count);
    }

    /// <summary>Keys k0..k(count-1) with value "v", spread round-robin over the first <paramref name="databases"/>.</summary>
    private static void AddKeys(AmberServer s, int count, int databases)
    {
        lock (s.KeyspaceLock)
        {
            for (int i = 0; i < count; i++)
            {
                s.Databases[i % databases].Add(System.Text.Encoding.ASCII.GetBytes("k" + i), "v"u8.ToArray());
            }
        }
    }
}
