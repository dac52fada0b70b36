using Amber.Config;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.Aof.AofTestSupport;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// appendfsync always through real sockets: replies are released on the socket event thread after the fsync that
/// covers them (Hosting/EventThreadQueue), never before; one write per fsync round.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task NoReplyPrecedesTheFsyncThatCoversItAndOneFsyncReleasesTheGroup()
    {
        var fs = new FaultInjectingFileSystem { CountOnly = ".incr.aof" };
        await using AofServer s = AofServer.Start(_dir.Path, c => c.AppendFsync = AppendFsyncMode.Always, fs);
        using var syncGate = new ManualResetEventSlim(false);
        RawClient first = s.Raw();
        RawClient[] group = [s.Raw(), s.Raw(), s.Raw(), s.Raw()];
        RawClient reader = s.Raw();
        foreach (RawClient c in group)
        {
            Assert.Equal("+PONG\r\n", c.Call("PING"));
        }
        Assert.Equal("+PONG\r\n", first.Call("PING"));
        Assert.Equal("+PONG\r\n", reader.Call("PING"));
        fs.SyncGate = syncGate;
        try
        {
            // The first SET's fsync stalls; the group's SETs run meanwhile and queue for the next round.
            first.SendCommand("SET", "first", "1");
            await Until(() => fs.Writes == 1, "the first write");
            for (int i = 0; i < group.Length; i++)
            {
                group[i].SendCommand("SET", "k" + i, "v");
            }
            await Until(() => reader.Call("DBSIZE") == ":5\r\n", "the group's SETs to run");
            Assert.Equal(1, fs.Writes);
            Assert.False(first.Poll(TimeSpan.FromMilliseconds(20)), "a reply came before its fsync");
            foreach (RawClient c in group)
            {
                Assert.False(c.Poll(TimeSpan.Zero), "a reply came before its fsync");
            }

            // Opening the gate lets both rounds through: one write of the whole group, one fsync for it.
            long syncsBefore = fs.Syncs;
            syncGate.Set();
            Assert.Equal("+OK\r\n", first.ReadReply());
            foreach (RawClient c in group)
            {
                Assert.Equal("+OK\r\n", c.ReadReply());
            }
            Assert.Equal(2, fs.Writes);
            Assert.Equal(syncsBefore + 2, fs.Syncs);
            string info = reader.Call("INFO", "persistence");
            Assert.Contains("aof_fsync_requests_per_round:", info);
        }
        finally
        {
            syncGate.Set();
        }
    }

    [Fact]
    public async Task AppendsDuringAWriteGoToTheNextRoundNotIntoThisFsync()
    {
        var fs = new FaultInjectingFileSystem { CountOnly = ".incr.aof" };
        await using AofServer s = AofServer.Start(_dir.Path, c => c.AppendFsync = AppendFsyncMode.Always, fs);
        using var writeGate = new ManualResetEventSlim(false);
        RawClient a = s.Raw();
        RawClient b = s.Raw();
        RawClient reader = s.Raw();
        Assert.Equal("+PONG\r\n", a.Call("PING"));
        Assert.Equal("+PONG\r\n", b.Call("PING"));
        Assert.Equal("+PONG\r\n", reader.Call("PING"));
        long syncsBefore = fs.Syncs;
        fs.WriteReachedGate.Reset();
        fs.WriteGate = writeGate;
        try
        {
            a.SendCommand("SET", "a", "1");
            Assert.True(fs.WriteReachedGate.Wait(TimeSpan.FromSeconds(10)), "a's write never started");
            b.SendCommand("SET", "b", "1");
            await Until(() => reader.Call("DBSIZE") == ":2\r\n", "b's SET to run");
            writeGate.Set();
            Assert.Equal("+OK\r\n", a.ReadReply());
            Assert.Equal("+OK\r\n", b.ReadReply());
            // a's round wrote only a's command: b, appended while it was written, got a write and an fsync of its own.
            Assert.Equal(2, fs.Writes);
            Assert.Equal(syncsBefore + 2, fs.Syncs);
        }
        finally
        {
            writeGate.Set();
        }
    }
}
