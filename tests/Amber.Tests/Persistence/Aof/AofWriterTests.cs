using System.Text;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Persistence.Aof;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.Aof.AofTestSupport;

namespace Amber.Tests.Persistence.Aof;

public class AofWriterTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FaultInjectingFileSystem _fs = new();
    private readonly StringWriter _log = new();

    public void Dispose() => _dir.Dispose();

    private AofWriter Open(AppendFsyncMode mode, bool timestamps = false, bool noFsyncOnRewrite = false, Amber.Hosting.EventThreadQueue? releaseQueue = null)
    {
        var config = new ServerConfig { AppendFsync = mode, AofTimestampEnabled = timestamps, NoAppendfsyncOnRewrite = noFsyncOnRewrite };
        return new AofWriter(_fs, _fs.Create(Path.Combine(_dir.Path, "a.incr.aof")), config, new ServerLog(TextWriter.Synchronized(_log)))
        {
            ReleaseQueue = releaseQueue,
        };
    }

    private string FileText() => Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(_dir.Path, "a.incr.aof")));


    [Fact]
    public async Task AlwaysWritesAndFsyncsBeforeReleasingTheWaiter()
    {
        using AofWriter w = Open(AppendFsyncMode.Always);
        w.Append(Cmd("SELECT", "0"));
        w.Append(Cmd("set", "a", "1"));
        Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Encoding.UTF8.GetString(Cmd("SELECT", "0")) + Encoding.UTF8.GetString(Cmd("set", "a", "1")), FileText());
        Assert.True(_fs.Syncs >= 1);
        Assert.Equal(w.AppendedLsn, w.DurableLsn);
    }

    /// <summary>
    /// With the event thread's queue, every waiter released by one fsync resumes on the event thread (its connection
    /// sends the reply there), not on a pool thread, and only once that fsync is done. (Several awaits of one shared
    /// task would not: .NET runs only the first continuation inline.)
    /// </summary>
    [Fact]
    public async Task ReleasedWaitersResumeOnTheEventThreadAfterTheirFsync()
    {
        using var gate = new ManualResetEventSlim(false);
        _fs.SyncGate = gate;
        using var release = new Releaser(gate);
        using AofWriter w = Open(AppendFsyncMode.Always, releaseQueue: Amber.Hosting.EventThreadQueue.Shared);
        const int Waiters = 8;
        var onPool = 0;
        var syncsAtResume = new long[Waiters];
        var waiters = new Task[Waiters];
        for (int i = 0; i < Waiters; i++)
        {
            w.Append(Cmd("set", "k" + i, "1"));
            waiters[i] = WaitAndObserve(w.AppendedLsn, i);
        }
        await Until(() => _fs.Writes >= 1, "the write");
        await Task.Delay(20);
        Assert.All(waiters, t => Assert.False(t.IsCompleted));
        gate.Set();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, onPool);
        Assert.All(syncsAtResume, n => Assert.True(n >= 1));

        async Task WaitAndObserve(long lsn, int i)
        {
            Assert.True(await w.WaitDurableAsync(lsn).ConfigureAwait(false));
            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                Interlocked.Increment(ref onPool);
            }
            syncsAtResume[i] = _fs.Syncs;
        }
    }

    /// <summary>
    /// The group-commit hold (wait for the clients the last fsync released) is bounded: when only one of several
    /// released clients writes again, its write is still made durable at once, not held for the others.
    /// </summary>
    [Fact]
    public async Task AClientWhoseGroupDidNotComeBackIsNotHeld()
    {
        using AofWriter w = Open(AppendFsyncMode.Always);
        var first = new Task<bool>[4];
        for (int i = 0; i < first.Length; i++)
        {
            w.Append(Cmd("set", "k" + i, "1"));
            first[i] = w.WaitDurableAsync(w.AppendedLsn).AsTask();
        }
        Assert.All(await Task.WhenAll(first).WaitAsync(TimeSpan.FromSeconds(10)), Assert.True);
        for (int round = 0; round < 20; round++)
        {
            w.Append(Cmd("set", "alone", round.ToString()));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
            // An fsync takes far less than this; a hold that waited for the missing clients would never end.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"round {round} took {watch.Elapsed}");
        }
        Assert.Contains("alone", FileText());
    }

    [Fact]
    public async Task GroupCommitOneFsyncCoversEveryWaiterAndNoReplyBeforeIt()
    {
        using var gate = new ManualResetEventSlim(false);
        _fs.SyncGate = gate;
        using AofWriter w = Open(AppendFsyncMode.Always);
        // Whatever happens, the stalled disk is released before the writer is closed.
        using var release = new Releaser(gate);
        var keyspaceLock = new object();
        const int Clients = 64;
        var waits = new Task<bool>[Clients];
        await Parallel.ForAsync(0, Clients, async (i, _) =>
        {
            long lsn;
            lock (keyspaceLock)
            {
                w.Append(Cmd("set", "k" + i, "v"));
                lsn = w.AppendedLsn;
            }
            waits[i] = w.WaitDurableAsync(lsn).AsTask();
            await Task.Yield();
        });
        // The flusher is stuck in its first fsync: nothing may be acknowledged.
        await Until(() => _fs.Writes >= 1, "the first write");
        await Task.Delay(50);
        Assert.All(waits, t => Assert.False(t.IsCompleted));
        gate.Set();
        bool[] results = await Task.WhenAll(waits);
        Assert.All(results, Assert.True);
        Assert.InRange(_fs.Syncs, 1, Clients - 1);
        Assert.Equal(Clients, Regex(FileText(), "\\*3\r\n\\$3\r\nset"));
    }

    private static int Regex(string text, string pattern) => System.Text.RegularExpressions.Regex.Matches(text, pattern).Count;

    [Fact]
    public async Task TimestampAnnotationsPrecedeCommandsWhenEnabled()
    {
        using AofWriter w = Open(AppendFsyncMode.Always, timestamps: true);
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        w.Append(Cmd("SELECT", "0"));
        w.Append(Cmd("set", "a", "1"));
        Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        string text = FileText();
        Assert.StartsWith("#TS:", text);
        long ts = long.Parse(text[4..text.IndexOf('\r')]);
        Assert.InRange(ts, before, before + 2);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "#TS:"));
    }

    [Fact]
    public async Task NoSpaceOnWriteFailsTheWaitersAndRecoversWhenTheDiskDoes()
    {
        bool full = true;
        _fs.WriteFault = (_, _) => full ? (0, FaultInjectingFileSystem.NoSpace()) : null;
        using AofWriter w = Open(AppendFsyncMode.Always);
        w.Append(Cmd("SELECT", "0"));
        w.Append(Cmd("set", "a", "1"));
        Assert.False(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(w.LastWriteOk);
        Assert.Equal("No space left on device", w.LastWriteError);
        Assert.Contains("Error writing to the AOF file: No space left on device", _log.ToString());
        Assert.Equal("", FileText());
        full = false;
        await Until(() => w.LastWriteOk, "the retry");
        w.Append(Cmd("set", "b", "2"));
        Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        // Every command exactly once, in order: the failed batch was retried, not lost or doubled.
        Assert.Equal(Encoding.UTF8.GetString([.. Cmd("SELECT", "0"), .. Cmd("set", "a", "1"), .. Cmd("set", "b", "2")]), FileText());
        Assert.Contains("AOF write error looks solved, Redis can write again.", _log.ToString());
    }

    [Fact]
    public async Task AShortWriteIsTakenBackOutOfTheFile()
    {
        bool faulty = true;
        _fs.WriteFault = (_, _) => faulty ? (7, FaultInjectingFileSystem.NoSpace()) : null;
        using AofWriter w = Open(AppendFsyncMode.Always);
        w.Append(Cmd("set", "a", "1"));
        Assert.False(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("Short write while writing to the AOF file: (nwritten=7, expected=", _log.ToString());
        faulty = false;
        await Until(() => w.LastWriteOk, "the retry");
        Assert.Equal(Encoding.UTF8.GetString(Cmd("set", "a", "1")), FileText());
    }

    [Fact]
    public async Task FsyncFailureUnderAlwaysIsNeverAcknowledged()
    {
        bool failing = true;
        _fs.SyncFault = _ => failing ? FaultInjectingFileSystem.IoError() : null;
        using AofWriter w = Open(AppendFsyncMode.Always);
        w.Append(Cmd("set", "a", "1"));
        Assert.False(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(w.LastWriteOk);
        Assert.Equal("Input/output error", w.LastWriteError);
        failing = false;
        await Until(() => w.LastWriteOk, "the fsync retry");
        Assert.Equal(w.AppendedLsn, w.DurableLsn);
    }

    [Fact]
    public async Task EverysecFsyncsInTheBackgroundWithoutAnyWaiter()
    {
        using AofWriter w = Open(AppendFsyncMode.EverySec);
        w.Append(Cmd("set", "a", "1"));
        await Until(() => _fs.Writes == 1, "the write");
        await Until(() => w.DurableLsn == w.AppendedLsn, "the background fsync");
        Assert.True(_fs.Syncs >= 1);
    }

    [Fact]
    public async Task NoPolicyWritesButNeverFsyncsUntilClose()
    {
        AofWriter w = Open(AppendFsyncMode.No);
        w.Append(Cmd("set", "a", "1"));
        await Until(() => _fs.Writes == 1, "the write");
        await Task.Delay(1200);
        Assert.Equal(0, _fs.Syncs);
        Assert.True(w.Close());
        Assert.Equal(1, _fs.Syncs);
        w.Dispose();
    }

    [Fact]
    public async Task EverysecHoldsWritesBackWhileAnFsyncIsStuckThenWritesAnyway()
    {
        using var gate = new ManualResetEventSlim(false);
        // Gated from the start, so the fsync seen in progress below is surely one that is stuck.
        _fs.SyncGate = gate;
        using var release = new Releaser(gate);
        using AofWriter w = Open(AppendFsyncMode.EverySec);
        w.Append(Cmd("set", "a", "1"));
        await Until(() => _fs.Writes == 1, "the first write");
        await Until(() => w.FsyncInProgress, "the background fsync to start");
        var held = System.Diagnostics.Stopwatch.StartNew();
        w.Append(Cmd("set", "b", "2"));
        await Until(() => _fs.Writes == 2, "the delayed write");
        // Held back for Redis's 2 s (timed from before the append, so a slow machine can only make this longer).
        Assert.True(held.Elapsed >= TimeSpan.FromMilliseconds(1900), $"written after {held.ElapsedMilliseconds} ms");
        Assert.Equal(1, w.DelayedFsyncs);
        Assert.Contains("Asynchronous AOF fsync is taking too long", _log.ToString());
        gate.Set();
    }

    [Theory]
    [InlineData("rewrite")]
    [InlineData("bgsave")]
    public async Task AlwaysSkipsTheFsyncButStillWritesWhileABackgroundJobRunsWithNoAppendfsyncOnRewrite(string job)
    {
        using AofWriter w = Open(AppendFsyncMode.Always, noFsyncOnRewrite: true);
        bool saving = job == "bgsave";
        w.BackgroundSaveActive = () => saving;
        w.RewriteInProgress = job == "rewrite";
        w.Append(Cmd("set", "a", "1"));
        // Released once written, as Redis answers after its write() when it skips the fsync.
        Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Encoding.UTF8.GetString(Cmd("set", "a", "1")), FileText());
        w.Append(Cmd("set", "b", "2"));
        Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, _fs.Syncs);
        Assert.Equal(0, w.DurableLsn);
        Assert.Equal(w.AppendedLsn, w.ReleasedLsn);

        // The job ends: the skipped fsync is made up without a new write.
        saving = false;
        w.RewriteInProgress = false;
        await Until(() => w.DurableLsn == w.AppendedLsn, "the deferred fsync");
        Assert.True(_fs.Syncs >= 1);
    }

    [Fact]
    public async Task AlwaysFsyncsDuringARewriteWhenNoAppendfsyncOnRewriteIsOff()
    {
        using AofWriter w = Open(AppendFsyncMode.Always, noFsyncOnRewrite: false);
        w.RewriteInProgress = true;
        w.BackgroundSaveActive = () => true;
        w.Append(Cmd("set", "a", "1"));
        Assert.True(await w.WaitDurableAsync(w.AppendedLsn).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(_fs.Syncs >= 1);
        Assert.Equal(w.AppendedLsn, w.DurableLsn);
    }

    [Fact]
    public async Task EverysecSkipsFsyncsWhileABackgroundSaveRunsWithNoAppendfsyncOnRewrite()
    {
        using AofWriter w = Open(AppendFsyncMode.EverySec, noFsyncOnRewrite: true);
        bool saving = true;
        w.BackgroundSaveActive = () => saving;
        w.Append(Cmd("set", "a", "1"));
        await Until(() => _fs.Writes == 1, "the write");
        await Task.Delay(1300);
        Assert.Equal(0, _fs.Syncs);
        saving = false;
        await Until(() => w.DurableLsn == w.AppendedLsn, "the background fsync");
    }

    private sealed class Releaser(ManualResetEventSlim gate) : IDisposable
    {
        public void Dispose() => gate.Set();
    }
}
