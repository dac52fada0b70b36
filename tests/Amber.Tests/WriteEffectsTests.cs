using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Write effects not covered by the differential test: multi-database dirty counts, SWAPDB and blocked clients.</summary>
public class WriteEffectsTests
{
    [Fact]
    public async Task FlushCountsTheKeysRemoved()
    {
        // Without save points: with them FLUSHALL saves the empty dataset, which resets the count (SaveTriggerTests).
        await using var server = TestServer.Start(c => c.Save = []);
        var c = server.Raw();
        c.Call("MSET", "a", "1", "b", "2");
        c.Call("SELECT", "5");
        c.Call("SET", "c", "1");
        long dirty = server.Server.Dirty;
        c.Call("FLUSHDB");
        Assert.Equal(dirty + 1, server.Server.Dirty);
        c.Call("SET", "c", "1");
        dirty = server.Server.Dirty;
        c.Call("FLUSHALL");
        Assert.Equal(dirty + 3, server.Server.Dirty);
        c.Call("FLUSHALL");
        Assert.Equal(dirty + 3, server.Server.Dirty);
        Assert.Contains("rdb_changes_since_last_save:" + server.Server.Dirty + "\r\n", c.Call("INFO", "persistence"));
    }

    [Fact]
    public async Task SwapDbServesClientsBlockedOnKeysItBringsIn()
    {
        await using var server = TestServer.Start();
        var waiter = server.Raw();
        var c = server.Raw();
        c.Call("SELECT", "1");
        c.Call("RPUSH", "k", "x");
        waiter.SendCommand("BLPOP", "k", "0");
        long deadline = Environment.TickCount64 + 10_000;
        while (!c.Call("CLIENT", "LIST").Contains(" flags=b "))
        {
            Assert.True(Environment.TickCount64 < deadline);
            Thread.Sleep(5);
        }
        Assert.Equal("+OK\r\n", c.Call("SWAPDB", "0", "1"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nx\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task MoveAndCopyReportInBothDatabases()
    {
        await using var server = TestServer.Start();
        var sink = new AmberEventSink(server, "KEAn");
        var c = server.Raw();
        c.Call("SET", "k", "v");
        sink.Take();
        c.Call("COPY", "k", "k2", "DB", "3");
        Assert.Equal(
            ["__keyspace@3__:k2 new", "__keyevent@3__:new k2", "__keyspace@3__:k2 copy_to", "__keyevent@3__:copy_to k2"],
            sink.Take());
        c.Call("MOVE", "k", "4");
        Assert.Equal(
            [
                "__keyspace@4__:k new", "__keyevent@4__:new k", "__keyspace@0__:k move_from", "__keyevent@0__:move_from k",
                "__keyspace@4__:k move_to", "__keyevent@4__:move_to k",
            ],
            sink.Take());
    }
}
