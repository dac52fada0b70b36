using Amber.Config;
using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Persistence;

/// <summary>
/// Amber and a real redis-server side by side for the differential tests, each keeping an AOF (appendfsync always)
/// and allowing DEBUG. <see cref="SaveAndCrossLoadAsync"/> ends a run: both save, the digests must agree, and Redis
/// and Amber each load each one's dump.rdb and AOF directory to the digest of Redis loading its own. (That is not
/// always the live digest: loading can turn a small skiplist into a listpack, which keeps a score of -0 as 0, in
/// Redis and in Amber alike.)
/// </summary>
internal sealed class DifferentialServers : IAsyncDisposable
{
    private readonly TempDir _redisDir;
    private readonly RealRedis _redis;
    private readonly TestServer _amber;

    private DifferentialServers(TempDir redisDir, RealRedis redis, TestServer amber)
    {
        _redisDir = redisDir;
        _redis = redis;
        _amber = amber;
        Redis = redis.Connect();
        Amber = amber.Raw();
    }

    public RawClient Redis { get; }

    public RawClient Amber { get; }

    /// <summary>Amber's data directory (dump.rdb, appendonlydir).</summary>
    public string AmberDirectory => _amber.Directory;

    public static DifferentialServers Start()
    {
        var redisDir = new TempDir();
        var redis = RealRedis.Start($"--enable-debug-command yes --dir {redisDir.Path} --appendonly yes --appendfsync always");
        var amber = TestServer.Start(c =>
        {
            c.EnableDebugCommand = "yes";
            c.AppendOnly = true;
            c.AppendFsync = AppendFsyncMode.Always;
        });
        return new DifferentialServers(redisDir, redis, amber);
    }

    public async Task SaveAndCrossLoadAsync()
    {
        Assert.Equal("+OK\r\n", Redis.Call("SAVE"));
        Assert.Equal("+OK\r\n", Amber.Call("SAVE"));
        Assert.Equal(Redis.Call("DEBUG", "DIGEST"), Amber.Call("DEBUG", "DIGEST"));
        foreach (string what in (string[])["dump.rdb", "appendonlydir"])
        {
            string redisLoadsItsOwn = await DigestAfterLoading(amber: false, _redisDir.Path, what);
            Assert.Equal(redisLoadsItsOwn, await DigestAfterLoading(amber: true, _redisDir.Path, what));
            Assert.Equal(redisLoadsItsOwn, await DigestAfterLoading(amber: false, AmberDirectory, what));
            Assert.Equal(redisLoadsItsOwn, await DigestAfterLoading(amber: true, AmberDirectory, what));
        }
    }

    /// <summary>DEBUG DIGEST of redis-server (or of Amber) started on a copy of <paramref name="what"/> from <paramref name="dir"/>.</summary>
    private static async Task<string> DigestAfterLoading(bool amber, string dir, string what)
    {
        using var copy = new TempDir();
        string source = Path.Combine(dir, what);
        if (Directory.Exists(source))
        {
            PersistenceTestKit.CopyDirectory(source, Path.Combine(copy.Path, what));
        }
        else
        {
            File.Copy(source, Path.Combine(copy.Path, what));
        }
        bool aof = what == "appendonlydir";
        if (amber)
        {
            await using var loaded = TestServer.Start(
                c =>
                {
                    c.EnableDebugCommand = "yes";
                    c.AppendOnly = aof;
                },
                new TestServerOptions { Directory = copy.Path });
            using RawClient client = loaded.Raw();
            return client.Call("DEBUG", "DIGEST");
        }
        using var redis = RedisProcess.Start(copy.Path, aof ? "--appendonly yes" : "--appendonly no");
        using var redisClient = new RawClient(redis.Port);
        return redisClient.Call("DEBUG", "DIGEST");
    }

    public async ValueTask DisposeAsync()
    {
        Redis.Dispose();
        Amber.Dispose();
        await _amber.DisposeAsync();
        _redis.Dispose();
        _redisDir.Dispose();
    }
}
