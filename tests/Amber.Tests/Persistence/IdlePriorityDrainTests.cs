using System.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence;
using Amber.Server;
using Amber.Tests.Infrastructure;
using Amber.Tests.Keyspace;

namespace Amber.Tests.Persistence;

/// <summary>
/// A background save drains its snapshot on a SCHED_IDLE thread while that keeps up, and on the save's own thread
/// (nice 10) while it does not; either way the stream is whole and in order.
/// </summary>
public class IdlePriorityDrainTests
{
    /// <summary>Small chunks and steps, and a small pending limit: many chunks, and a walker that soon waits for room.</summary>
    private static readonly SnapshotOptions SmallSteps = new() { ChunkSize = 512, PendingLimit = 8 * 1024, StepBudget = 16 };

    /// <summary>What each write of the drain saw: the stream's bytes so far, and the writing thread's class.</summary>
    private sealed class RecordingWriter
    {
        private readonly SnapshotAssert.ByteCollector _bytes = new();
        public readonly List<(bool Idle, int Nice, int ThreadId, long Timestamp)> Writes = [];
        public Action? BeforeFirstIdleWrite;

        public void Write(ReadOnlySpan<byte> data)
        {
            bool idle = BackgroundThreadPriority.CurrentThreadIsIdle();
            if (idle && Writes.Count == 0)
            {
                BeforeFirstIdleWrite?.Invoke();
            }
            Writes.Add((idle, BackgroundThreadPriority.CurrentNice(), Environment.CurrentManagedThreadId, Stopwatch.GetTimestamp()));
            _bytes.Write(data);
        }

        public List<KeyRecord> Records() => _bytes.Records();
    }

    private static (KeyspaceSnapshot Snapshot, List<KeyRecord> Expected) StartSnapshot(AmberServer s, int keys, SnapshotOptions options)
    {
        lock (s.KeyspaceLock)
        {
            for (int i = 0; i < keys; i++)
            {
                s.Databases[0].Add(System.Text.Encoding.ASCII.GetBytes("key:" + i), System.Text.Encoding.ASCII.GetBytes(new string('v', 40) + i));
            }
            return (s.StartSnapshot(new DigestSink(), options), SnapshotAssert.Dataset(s.Databases));
        }
    }

    /// <summary>Runs the drain on a save thread of its own and waits without holding a pool thread (other tests need them).</summary>
    private static async Task DrainAsync(KeyspaceSnapshot snapshot, RecordingWriter writer, TimeSpan starvedAfter)
    {
        Task producer = snapshot.RunOnOwnThread();
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                IdlePriorityDrain.Run(snapshot, writer.Write, starvedAfter);
                drained.SetResult();
            }
            catch (Exception e)
            {
                drained.SetException(e);
            }
        }).Start();
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await producer;
    }

    [SkippableFact]
    public async Task WhileTheDrainKeepsUpEveryWriteIsAtIdlePriority()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SCHED_IDLE is Linux's");
        await using TestServer server = TestServer.Start();
        (KeyspaceSnapshot snapshot, List<KeyRecord> expected) =
            StartSnapshot(server.Server, 3000, new SnapshotOptions { ChunkSize = 1024, PendingLimit = 1 << 20 });
        var writer = new RecordingWriter();
        long handOvers = IdlePriorityDrain.HandOvers;
        // Never starved (an hour), and the dataset is far below twice the pending limit: no reason to hand over.
        await DrainAsync(snapshot, writer, TimeSpan.FromHours(1));
        SnapshotAssert.SameDataset(expected, writer.Records());
        Assert.True(writer.Writes.Count > 3, $"only {writer.Writes.Count} writes");
        Assert.All(writer.Writes, w => Assert.True(w.Idle, "a write outside SCHED_IDLE"));
        // Nice 10 as well: where SCHED_IDLE is refused the thread still runs below the requests.
        Assert.All(writer.Writes, w => Assert.True(w.Nice >= BackgroundThreadPriority.SaveNiceFor(-20), $"nice {w.Nice}"));
        Assert.Equal(handOvers, IdlePriorityDrain.HandOvers);
    }

    [SkippableFact]
    public async Task AStarvedIdleDrainGoesOnAtNice10ForAtLeastTheStarvationLimit()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SCHED_IDLE is Linux's");
        await using TestServer server = TestServer.Start();
        SnapshotOptions options = SmallSteps;
        (KeyspaceSnapshot snapshot, List<KeyRecord> expected) = StartSnapshot(server.Server, 3000, options);
        var writer = new RecordingWriter();
        long handOvers = IdlePriorityDrain.HandOvers;
        long handedOverAt = 0;
        // The idle thread's first write stalls (as if it got no CPU) until the save thread has asked for the drain
        // back and the walker has filled the buffer to its limit, so the save thread has chunks to write itself.
        writer.BeforeFirstIdleWrite = () =>
        {
            WaitFor(() => IdlePriorityDrain.HandOvers > handOvers && snapshot.Output.PendingBytes >= options.PendingLimit);
            handedOverAt = Stopwatch.GetTimestamp();
        };
        TimeSpan starvedAfter = TimeSpan.FromMilliseconds(50);
        await DrainAsync(snapshot, writer, starvedAfter);
        SnapshotAssert.SameDataset(expected, writer.Records());
        int firstOnSaveThread = FirstWriteAfterTheHandOver(writer);
        Assert.True(writer.Writes[firstOnSaveThread].Nice >= BackgroundThreadPriority.SaveNiceFor(-20));
        // No CPU was idle: the save thread keeps the drain at least as long again before an idle thread may try.
        Assert.All(writer.Writes.Skip(firstOnSaveThread).Where(w => w.Idle), w =>
            Assert.True(Stopwatch.GetElapsedTime(handedOverAt, w.Timestamp) >= starvedAfter, "an idle thread wrote too soon after starving"));
    }

    [SkippableFact]
    public async Task ADrainFallenBehindIsHandedToTheSaveThreadAndBack()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SCHED_IDLE is Linux's");
        await using TestServer server = TestServer.Start();
        SnapshotOptions options = SmallSteps;
        (KeyspaceSnapshot snapshot, List<KeyRecord> expected) = StartSnapshot(server.Server, 3000, options);
        using RawClient client = server.Raw();
        var writer = new RecordingWriter();
        long handOvers = IdlePriorityDrain.HandOvers;
        // While the idle thread's first write stalls, clients overwrite every key: each write to a key the walk has not
        // reached captures it first, past the pending limit (requests cannot wait), until the save thread takes over.
        writer.BeforeFirstIdleWrite = () =>
        {
            WaitFor(() => snapshot.Output.PendingBytes >= options.PendingLimit);
            for (int i = 0; i < 3000; i++)
            {
                client.Call("SET", "key:" + i, "changed after the snapshot started");
            }
            WaitFor(() => IdlePriorityDrain.HandOvers > handOvers);
        };
        // Never starved (an hour): only the bytes waiting can hand the drain over.
        await DrainAsync(snapshot, writer, TimeSpan.FromHours(1));
        SnapshotAssert.SameDataset(expected, writer.Records());
        int firstOnSaveThread = FirstWriteAfterTheHandOver(writer);
        // Back under half the limit, a new idle thread takes the rest.
        Assert.Contains(writer.Writes.Skip(firstOnSaveThread), w => w.Idle && w.ThreadId != writer.Writes[0].ThreadId);
    }

    /// <summary>The idle thread wrote first, then the save thread: the index of the save thread's first write.</summary>
    private static int FirstWriteAfterTheHandOver(RecordingWriter writer)
    {
        Assert.True(writer.Writes[0].Idle, "the first write was not the idle thread's");
        int firstOnSaveThread = writer.Writes.FindIndex(w => !w.Idle);
        Assert.True(firstOnSaveThread > 0, "the save thread wrote nothing after the hand-over");
        return firstOnSaveThread;
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(5);
        }
    }
}
