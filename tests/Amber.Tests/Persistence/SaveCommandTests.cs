using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence;

/// <summary>SAVE, BGSAVE and LASTSAVE: replies, files, INFO persistence counters.</summary>
public sealed class SaveCommandTests
{
    [Fact]
    public async Task SaveWritesTheDumpAndResetsTheDirtyCounter()
    {
        await using var server = TestServer.Start();
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        c.Call("RPUSH", "l", "x", "y");
        Assert.Equal("3", Info(c, "rdb_changes_since_last_save"));
        Assert.Equal("+OK\r\n", c.Call("SAVE"));
        Assert.True(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
        Assert.Empty(TempFiles(server.Directory));
        Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
        Assert.Equal("1", Info(c, "rdb_saves"));
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.Equal(":" + Info(c, "rdb_last_save_time") + "\r\n", c.Call("LASTSAVE"));
    }

    [Fact]
    public async Task BgsaveStartsAndCompletes()
    {
        await using var server = TestServer.Start();
        RawClient c = server.Raw();
        for (int i = 0; i < 100; i++)
        {
            c.Call("SET", "k" + i, "v" + i);
        }
        Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
        await WaitForBgsaveAsync(c);
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
        Assert.Equal("1", Info(c, "rdb_saves"));
        Assert.Equal("1", Info(c, "total_forks", "stats"));
        Assert.NotEqual("-1", Info(c, "rdb_last_bgsave_time_sec"));
        Assert.True(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
        Assert.Empty(TempFiles(server.Directory));
    }
}
