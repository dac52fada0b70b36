using Amber.Persistence;
using Amber.Persistence.Storage;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// A background save encodes and writes on a thread of lower OS priority than the request threads (on Linux its
/// nice value; .NET's Thread.Priority does not change a normal thread's scheduling there).
/// </summary>
public class BackgroundThreadPriorityTests
{
    /// <summary>Records the nice value of the threads that write temp files (the save's thread).</summary>
    private sealed class NiceRecordingFileSystem : IFileSystem
    {
        private readonly OsFileSystem _os = OsFileSystem.Instance;
        /// <summary>Per temp file written by a snapshot (BGSAVE's temp-*.rdb, the rewrite's temp-rewriteaof-bg-*): the
        /// nice value of each write.</summary>
        public readonly Dictionary<string, List<int>> WriterNice = [];

        public IWritableFile Create(string path) => new File(this, _os.Create(path));
        public IWritableFile OpenAppend(string path) => _os.OpenAppend(path);
        public Stream OpenRead(string path) => _os.OpenRead(path);
        public bool FileExists(string path) => _os.FileExists(path);
        public long FileLength(string path) => _os.FileLength(path);
        public void Rename(string source, string destination) => _os.Rename(source, destination);
        public void Delete(string path) => _os.Delete(path);
        public void SyncDirectory(string directory) => _os.SyncDirectory(directory);
        public void CreateDirectory(string path) => _os.CreateDirectory(path);
        public bool DirectoryExists(string path) => _os.DirectoryExists(path);
        public void Truncate(string path, long length) => _os.Truncate(path, length);

        private sealed class File(NiceRecordingFileSystem fs, IWritableFile inner) : IWritableFile
        {
            public string Path => inner.Path;
            public long Length => inner.Length;

            public void Write(ReadOnlySpan<byte> data)
            {
                string name = System.IO.Path.GetFileName(inner.Path);
                if (name.StartsWith("temp-rewriteaof-bg-", StringComparison.Ordinal) ||
                    (name.StartsWith("temp-", StringComparison.Ordinal) && name.EndsWith(".rdb", StringComparison.Ordinal)))
                {
                    lock (fs.WriterNice)
                    {
                        if (!fs.WriterNice.TryGetValue(name, out List<int>? list))
                        {
                            fs.WriterNice[name] = list = [];
                        }
                        list.Add(BackgroundThreadPriority.CurrentNice());
                    }
                }
                inner.Write(data);
            }

            public void Sync() => inner.Sync();
            public void Dispose() => inner.Dispose();
        }
    }

    [SkippableFact]
    public void LowerRaisesTheNiceValueOfTheCallingThreadOnly()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "nice values are per thread on Linux");
        int mine = BackgroundThreadPriority.CurrentNice();
        int before = -100, inside = -100, meanwhile = -100;
        var thread = new Thread(() =>
        {
            before = BackgroundThreadPriority.CurrentNice();
            using (BackgroundThreadPriority.Scope scope = BackgroundThreadPriority.Lower())
            {
                Assert.True(scope.Lowered);
                inside = BackgroundThreadPriority.CurrentNice();
                meanwhile = -1;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Equal(-1, meanwhile);
        Assert.Equal(BackgroundThreadPriority.SaveNiceFor(before), inside);
        // Another thread (this one) keeps its priority.
        Assert.Equal(mine, BackgroundThreadPriority.CurrentNice());
    }

    [SkippableFact]
    public async Task BgsaveAndBgrewriteaofEncodeAndWriteAtTheLowerPriority()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "nice values are per thread on Linux");
        var fs = new NiceRecordingFileSystem();
        await using TestServer server = TestServer.Start(c => c.AppendOnly = true, new TestServerOptions { FileSystem = fs });
        using RawClient c = server.Raw();
        // Enough for the temp files to be written in several pieces while the snapshot is drained.
        for (int i = 0; i < 300; i++)
        {
            var mset = new List<string> { "MSET" };
            for (int j = 0; j < 100; j++)
            {
                mset.Add($"key:{i}:{j}");
                mset.Add(new string('v', 40));
            }
            c.Call([.. mset]);
        }
        c.Call("BGSAVE");
        await WaitUntilAsync(() => Info(c, "rdb_bgsave_in_progress") == "0" && Info(c, "aof_rewrite_in_progress") == "0");
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        c.Call("BGREWRITEAOF");
        await WaitUntilAsync(() => Info(c, "aof_rewrite_in_progress") == "0" && Info(c, "aof_rewrite_scheduled") == "0");
        Assert.Equal("ok", Info(c, "aof_last_bgrewrite_status"));
        lock (fs.WriterNice)
        {
            Assert.Equal(2, fs.WriterNice.Count);
            foreach ((string name, List<int> nice) in fs.WriterNice)
            {
                // The last piece is written when the file is sealed, after the drain.
                Assert.True(nice.Count >= 3 && nice.Take(nice.Count - 1).All(n => n >= BackgroundThreadPriority.SaveNiceFor(-20)),
                    $"{name} written at nice {string.Join(",", nice)}");
            }
        }
    }

    private static string? Info(RawClient c, string field)
    {
        foreach (string line in c.Call("INFO", "persistence").Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }
        return null;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
