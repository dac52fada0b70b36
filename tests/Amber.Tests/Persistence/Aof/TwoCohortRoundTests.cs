using System.Text;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Persistence.Aof;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.Aof.AofTestSupport;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// appendfsync always with two cohorts (GroupCommitCohorts): a round writes and fsyncs only the oldest half of the
/// waiters' bytes, and no waiter is ever answered before an fsync covered its last byte.
/// </summary>
public sealed class TwoCohortRoundTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FaultInjectingFileSystem _fs = new() { CountOnly = ".incr.aof" };

    public void Dispose() => _dir.Dispose();


    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARoundCoversTheOldestHalfAndNoWaiterIsAnsweredBeforeItsFsync(bool twoCohorts)
    {
        using var syncGate = new ManualResetEventSlim(false);
        _fs.SyncGate = syncGate;
        var config = new ServerConfig { AppendFsync = AppendFsyncMode.Always };
        string path = Path.Combine(_dir.Path, "a.incr.aof");
        using var w = new AofWriter(_fs, _fs.Create(path), config, new ServerLog(TextWriter.Null));
        w.Cohorts.Pin(twoCohorts);

        var lsns = new List<long>();
        var waits = new List<Task<bool>>();
        var syncedLengths = new List<long>();
        var violations = new List<string>();
        _fs.SyncFault = _ =>
        {
            // Runs before each fsync: whatever is answered by now must have been covered by an earlier one.
            lock (waits)
            {
                long durable = syncedLengths.Count > 0 ? syncedLengths[^1] : 0;
                if (w.ReleasedLsn > durable)
                {
                    violations.Add($"replies released up to LSN {w.ReleasedLsn} with {durable} bytes fsynced");
                }
                for (int i = 0; i < waits.Count; i++)
                {
                    if (waits[i].IsCompleted && lsns[i] > durable)
                    {
                        violations.Add($"waiter {i} (LSN {lsns[i]}) answered with {durable} bytes fsynced");
                    }
                }
                syncedLengths.Add(new FileInfo(path).Length);
            }
            return null;
        };

        void AppendAndWait(params string[] args)
        {
            w.Append(Cmd(args));
            lock (waits)
            {
                lsns.Add(w.AppendedLsn);
                waits.Add(w.WaitDurableAsync(w.AppendedLsn).AsTask());
            }
        }

        AppendAndWait("set", "a", "1");
        await Until(() => _fs.Writes == 1, "the first round's write");
        for (int i = 0; i < 4; i++)
        {
            AppendAndWait("set", "b" + i, "v");
        }
        syncGate.Set();
        bool[] results = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(results, Assert.True);
        Assert.Empty(violations);
        if (twoCohorts)
        {
            // Five clients waited at the first release: rounds of at most three, the oldest first.
            Assert.Equal(3, _fs.Writes);
            Assert.Equal([lsns[0], lsns[3], lsns[4]], syncedLengths);
        }
        else
        {
            Assert.Equal(2, _fs.Writes);
            Assert.Equal([lsns[0], lsns[4]], syncedLengths);
        }
        Assert.Equal(lsns[4], new FileInfo(path).Length);
    }
}
