using System.Diagnostics;
using System.Globalization;
using Amber.Keyspace;
using Amber.Persistence.Rdb.Reading;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>How a load treats the dataset in memory.</summary>
internal enum LoadMode
{
    /// <summary>Load into fresh databases and swap them in only if the whole file loaded (startup, DEBUG RELOAD).</summary>
    Replace = 0,

    /// <summary>Add to the live databases; a key already there fails the load (DEBUG RELOAD NOFLUSH).</summary>
    Add = 1,

    /// <summary>Add to the live databases; the file's value replaces a key already there (DEBUG RELOAD NOFLUSH MERGE).</summary>
    Merge = 2,
}

/// <summary>
/// Loads dbfilename with the RDB reader: progress for INFO and -LOADING (<see cref="LoadingState"/>), Redis's log
/// lines, rdb_last_load_keys_*; never a half-loaded dataset in Replace mode.
/// </summary>
internal sealed class RdbFileLoader(AmberServer server)
{
    /// <summary>A progress line is logged at most this often while a large file loads.</summary>
    private static readonly TimeSpan ProgressLogInterval = TimeSpan.FromSeconds(5);

    public string FilePath => Path.Combine(server.Config.Dir, server.Config.DbFilename);

    public bool FileExists() => server.FileSystem.FileExists(FilePath);

    /// <summary>
    /// Loads the file (which must exist). In Replace mode this may run without the keyspace lock (startup, where
    /// commands are refused with -LOADING): only the final swap takes it. The other modes need the lock held.
    /// Throws <see cref="RdbLoadException"/> (with file and offset) or IOException.
    /// </summary>
    public RdbLoadResult Load(LoadMode mode)
    {
        string path = FilePath;
        LoadingState loading = server.Loading;
        long total = server.FileSystem.FileLength(path);
        loading.Begin(total);
        long started = Stopwatch.GetTimestamp();
        try
        {
            Database[] target = mode == LoadMode.Replace
                ? DatabaseLoadTarget.CreateDatabases(server.Databases.Length, server.Events)
                : server.Databases;
            var sink = new LoadProgressTarget(
                new DatabaseLoadTarget(target, mode == LoadMode.Merge, server.Config.MaxMemoryPolicy, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
                loading, server.Log);
            var options = new RdbLoadOptions
            {
                Limits = RdbValueLimits.From(server.Config),
                Databases = server.Databases.Length,
                VerifyChecksum = server.Config.RdbChecksum,
                Warning = server.Log.Warning,
                // Fresh databases nobody else sees until the swap: a second thread can fill them.
                Pipelined = mode == LoadMode.Replace && Environment.ProcessorCount > 1,
            };
            long lastLog = started;
            RdbLoadResult result;
            using (new BulkLoadGcMode(total))
            using (Stream stream = server.FileSystem.OpenRead(path))
            {
                result = RdbLoader.Load(stream, server.Config.DbFilename, options, sink, bytes =>
                {
                    loading.Report(bytes, sink.KeysLoaded, 0);
                    if (Stopwatch.GetElapsedTime(lastLog) >= ProgressLogInterval)
                    {
                        lastLog = Stopwatch.GetTimestamp();
                        server.Log.Notice(string.Create(CultureInfo.InvariantCulture,
                            $"Loading RDB: {loading.Percent:F2}% ({bytes} of {total} bytes, {sink.KeysLoaded} keys)"));
                    }
                });
            }
            lock (server.KeyspaceLock)
            {
                if (mode == LoadMode.Replace)
                {
                    for (int i = 0; i < target.Length; i++)
                    {
                        server.Databases[i].SwapContents(target[i]);
                    }
                }
                server.PersistenceStatus.LastLoadKeysLoaded = result.KeysLoaded;
                server.PersistenceStatus.LastLoadKeysExpired = result.KeysExpired;
            }
            server.Log.Notice($"Done loading RDB, keys loaded: {result.KeysLoaded}, keys expired: {result.KeysExpired}.");
            server.Log.Notice(string.Create(CultureInfo.InvariantCulture,
                $"DB loaded from disk: {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} seconds"));
            return result;
        }
        finally
        {
            loading.End();
        }
    }
}
