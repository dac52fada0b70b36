using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Persistence;

/// <summary>
/// Redis and Amber each loading each one's dump.rdb and AOF directory, for the differential tests: all must reach the
/// digest of Redis loading its own files. (Not always the live digest: loading can turn a small skiplist into a
/// listpack, which keeps a score of -0 as 0, in Redis and in Amber alike.)
/// </summary>
internal static class CrossLoading
{
    public static async Task AssertBothWays(string redisDir, string amberDir)
    {
        foreach (string what in (string[])["dump.rdb", "appendonlydir"])
        {
            string redisLoadsItsOwn = await DigestAfterLoading(amber: false, redisDir, what);
            Assert.Equal(redisLoadsItsOwn, await DigestAfterLoading(amber: true, redisDir, what));
            Assert.Equal(redisLoadsItsOwn, await DigestAfterLoading(amber: false, amberDir, what));
            Assert.Equal(redisLoadsItsOwn, await DigestAfterLoading(amber: true, amberDir, what));
        }
    }

    /// <summary>DEBUG DIGEST of redis-server (or of Amber) started on a copy of <paramref name="what"/> from <paramref name="dir"/>.</summary>
    private static async Task<string> DigestAfterLoading(bool amber, string dir, string what)
    {
        using var copy = new TempDir();
        string source = Path.Combine(dir, what);
        if (Directory.Exists(source))
        {
            Directory.CreateDirectory(Path.Combine(copy.Path, what));
            foreach (string file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(copy.Path, what, Path.GetFileName(file)));
            }
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
}
