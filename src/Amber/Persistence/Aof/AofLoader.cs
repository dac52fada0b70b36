using System.Diagnostics;
using System.Globalization;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.Rdb.Reading;
using Amber.Persistence.RdbPersistence;
using Amber.Persistence.Storage;
using Amber.Protocol;
using Amber.Server;

namespace Amber.Persistence.Aof;

/// <summary>Startup must stop: the AOF cannot be loaded. The message names the file, the offset and the repair.</summary>
internal sealed class AofLoadException(string message) : Exception(message);

/// <summary>What loading found (INFO's aof_current_size and aof_base_size start from these).</summary>
internal readonly record struct AofLoadResult(long TotalSize, long BaseSize, bool Empty);

/// <summary>
/// Loads a multi-part AOF: the base (RDB format when it starts with "REDIS", then any RESP tail; else RESP), then
/// every incr file in manifest order, replaying commands through <see cref="AofReplayClient"/>. A torn tail of the
/// last file is truncated when aof-load-truncated is yes; anything else damaged stops startup.
/// Progress goes to <see cref="AmberServer.Loading"/> (which the caller begins and ends) as bytes of all the files
/// together, as Redis counts them, so INFO's loading_* fields and -LOADING work while the listener is up.
/// </summary>
internal sealed class AofLoader(AmberServer server, IFileSystem fs, AofManifestStore store)
{
    /// <summary>The repair tool named in fatal messages (Redis names ./redis-check-aof).</summary>
    public const string CheckTool = "amber-check-aof";

    /// <summary>Commands replayed per keyspace-lock hold, so a long load does not starve the cron.</summary>
    private const int CommandsPerLockHold = 1024;

    /// <summary>A progress line is logged at most this often while large files load.</summary>
    private static readonly TimeSpan ProgressLogInterval = TimeSpan.FromSeconds(5);

    private static readonly byte[] s_rdbMagic = "REDIS"u8.ToArray();

    private readonly ServerLog _log = server.Log;

    /// <summary>Bytes of the files already loaded (progress of the current file adds to it).</summary>
    private long _loadedBefore;
    private long _totalBytes;
    private long _lastProgressLog;

    /// <summary>The files a manifest lists, base first (what <see cref="Load"/> reads).</summary>
    public static List<AofFileInfo> FilesOf(AofManifest manifest)
    {
        var files = new List<AofFileInfo>();
        if (manifest.Base != null)
        {
            files.Add(manifest.Base);
        }
        files.AddRange(manifest.Incrs);
        return files;
    }

    /// <summary>loading_total_bytes: the size of every listed file that exists (Redis's getBaseAndIncrAppendOnlyFilesSize).</summary>
    public static long TotalSize(IFileSystem fs, AofManifestStore store, AofManifest manifest)
    {
        long total = 0;
        foreach (AofFileInfo f in FilesOf(manifest))
        {
            string path = store.PathOf(f.Name);
            if (fs.FileExists(path))
            {
                total += fs.FileLength(path);
            }
        }
        return total;
    }

    public AofLoadResult Load(AofManifest manifest)
    {
        List<AofFileInfo> files = FilesOf(manifest);
        long total = 0;
        long baseSize = 0;
        foreach (AofFileInfo f in files)
        {
            if (!fs.FileExists(store.PathOf(f.Name)))
            {
                throw new AofLoadException($"The AOF file {f.Name} doesn't exist");
            }
        }
        if (files.Count == 0 || files.TrueForAll(f => fs.FileLength(store.PathOf(f.Name)) == 0))
        {
            return new AofLoadResult(0, 0, Empty: true);
        }
        var all = Stopwatch.StartNew();
        _totalBytes = TotalSize(fs, store, manifest);
        _loadedBefore = 0;
        _lastProgressLog = Stopwatch.GetTimestamp();
        bool previous = server.Events.SuppressExpiry;
        // Nothing expires while loading (Redis's keyIsExpired returns 0 while loading): a later command may still
        // touch a key whose absolute expire time has passed.
        server.Events.SuppressExpiry = true;
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                AofFileInfo f = files[i];
                var one = Stopwatch.StartNew();
                long size = LoadFile(f, isLast: i == files.Count - 1);
                total += size;
                _loadedBefore += fs.FileLength(store.PathOf(f.Name));
                ReportProgress(0);
                if (f.Type == AofFileType.Base)
                {
                    baseSize = size;
                }
                string kind = f.Type == AofFileType.Base ? "base" : "incr";
                _log.Notice($"DB loaded from {kind} file {f.Name}: {Seconds(one)} seconds");
            }
        }
        finally
        {
            server.Events.SuppressExpiry = previous;
        }
        _log.Notice($"DB loaded from append only file: {Seconds(all)} seconds");
        return new AofLoadResult(total, baseSize, Empty: false);
    }

    private static string Seconds(Stopwatch w) => w.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Replays one file; returns its size after any truncation.</summary>
    private long LoadFile(AofFileInfo file, bool isLast)
    {
        string path = store.PathOf(file.Name);
        long start = 0;
        long validUpTo;
        long validBeforeMulti = 0;
        AofReadStatus status;
        string? error = null;
        long errorOffset = 0;
        // Batch GC mode and a no-GC region sized from the file, for its RDB part and its commands alike.
        using (new BulkLoadGcMode(fs.FileLength(path)))
        using (Stream stream = fs.OpenRead(path))
        {
            if (StartsWithRdbMagic(stream))
            {
                if (file.Type == AofFileType.Base)
                {
                    _log.Notice("Reading RDB base file on AOF loading...");
                }
                else
                {
                    _log.Notice("Reading RDB preamble from AOF file...");
                }
                start = LoadRdbPart(stream, file.Name, file.Type == AofFileType.Base);
                _log.Notice("Reading the remaining AOF tail...");
            }
            stream.Position = start;
            validUpTo = start;
            var client = new AofReplayClient(server);
            var args = new ArgList();
            using var reader = new AofCommandReader(stream, start);
            while (true)
            {
                int n = 0;
                lock (server.KeyspaceLock)
                {
                    while (n++ < CommandsPerLockHold)
                    {
                        status = reader.Read(args);
                        if (status != AofReadStatus.Command)
                        {
                            goto done;
                        }
                        if (!client.InMulti && IsMulti(args))
                        {
                            validBeforeMulti = validUpTo;
                        }
                        if (client.Execute(args) is string commandError)
                        {
                            throw new AofLoadException($"{commandError} reading the append only file {file.Name} (at offset {reader.CommandStart})");
                        }
                        validUpTo = reader.Position;
                    }
                }
                ReportProgress(reader.Position);
                ThrottleForTests(n);
            }
        done:
            if (status == AofReadStatus.EndOfFile && client.InMulti)
            {
                _log.Warning($"Revert incomplete MULTI/EXEC transaction in AOF file {file.Name}");
                client.DiscardMulti();
                validUpTo = validBeforeMulti;
                status = AofReadStatus.Truncated;
            }
            else if (status == AofReadStatus.Truncated && client.InMulti)
            {
                client.DiscardMulti();
                validUpTo = validBeforeMulti;
            }
            if (status == AofReadStatus.BadFormat)
            {
                error = reader.Error;
                errorOffset = reader.ErrorOffset;
            }
        }
        if (status == AofReadStatus.BadFormat)
        {
            throw new AofLoadException(
                $"Bad file format reading the append only file {file.Name}: make a backup of your AOF file, then use {CheckTool} --fix <filename.manifest> (offset {errorOffset}: {error})");
        }
        long size = fs.FileLength(path);
        if (status == AofReadStatus.Truncated)
        {
            if (!server.Config.AofLoadTruncated)
            {
                throw new AofLoadException(
                    $"Unexpected end of file reading the append only file {file.Name} (offset {validUpTo}). You can: 1) Make a backup of your AOF file, then use {CheckTool} --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.");
            }
            if (!isLast)
            {
                throw new AofLoadException($"Fatal error: the truncated file is not the last file (the AOF file {file.Name} ends at offset {validUpTo} inside a command)");
            }
            _log.Warning($"!!! Warning: short read while loading the AOF file {file.Name}!!!");
            _log.Warning($"!!! Truncating the AOF {file.Name} at offset {validUpTo} !!!");
            try
            {
                fs.Truncate(path, validUpTo);
            }
            catch (IOException e)
            {
                throw new AofLoadException($"Error truncating the AOF file {file.Name}: {AofErrors.Describe(e)}");
            }
            _log.Warning($"AOF {file.Name} loaded anyway because aof-load-truncated is enabled");
            size = validUpTo;
        }
        return size;
    }

    /// <summary>Publishes the bytes loaded so far (files before this one plus <paramref name="position"/> in it); logs now and then.</summary>
    private void ReportProgress(long position, long? keysLoaded = null)
    {
        LoadingState loading = server.Loading;
        long loaded = _loadedBefore + position;
        loading.Report(loaded, keysLoaded ?? loading.KeysLoaded, 0);
        if (Stopwatch.GetElapsedTime(_lastProgressLog) >= ProgressLogInterval)
        {
            _lastProgressLog = Stopwatch.GetTimestamp();
            _log.Notice(string.Create(CultureInfo.InvariantCulture,
                $"Loading AOF: {loading.Percent:F2}% ({loaded} of {_totalBytes} bytes)"));
        }
    }

    /// <summary>
    /// key-load-delay, Redis's hook for tests that need a slow load: the delay of <paramref name="commands"/> commands,
    /// taken between lock holds so that clients are answered (-LOADING, INFO) meanwhile.
    /// </summary>
    private void ThrottleForTests(int commands)
    {
        int delay = server.Config.KeyLoadDelay;
        if (delay > 0)
        {
            Thread.Sleep(TimeSpan.FromMicroseconds((double)delay * commands));
        }
    }

    /// <summary>
    /// Loads an RDB base or preamble into the server's databases, expired keys kept (as Redis loads an AOF base);
    /// returns the offset where the RESP tail starts. A base loaded while the dataset is empty and the caller does not
    /// hold the keyspace lock (startup) is read into fresh databases outside the lock and swapped in, so clients get
    /// -LOADING and INFO meanwhile instead of waiting for the lock.
    /// </summary>
    private long LoadRdbPart(Stream stream, string fileName, bool isBase)
    {
        ServerConfig config = server.Config;
        var options = new RdbLoadOptions
        {
            Limits = RdbValueLimits.From(config),
            Databases = config.Databases,
            DropExpiredKeys = false,
            VerifyChecksum = config.RdbChecksum,
            Warning = _log.Warning,
            // The insert thread is alone with the databases: fresh ones (a base at startup) or the live ones with the
            // keyspace lock held for the whole load.
            Pipelined = Environment.ProcessorCount > 1,
        };
        bool outsideLock = isBase && !Monitor.IsEntered(server.KeyspaceLock) && DatasetIsEmpty();
        Database[] databases = outsideLock ? DatabaseLoadTarget.CreateDatabases(server.Databases.Length, server.Events) : server.Databases;
        var target = new LoadProgressTarget(
            new DatabaseLoadTarget(databases, replaceExisting: false, config.MaxMemoryPolicy, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            server.Loading, _log);
        Action<long> progress = bytes => ReportProgress(bytes, target.KeysLoaded);
        RdbLoadResult result;
        try
        {
            if (outsideLock)
            {
                result = RdbLoader.Load(stream, fileName, options, target, progress);
                lock (server.KeyspaceLock)
                {
                    for (int i = 0; i < databases.Length; i++)
                    {
                        server.Databases[i].SwapContents(databases[i]);
                    }
                }
            }
            else
            {
                lock (server.KeyspaceLock)
                {
                    result = RdbLoader.Load(stream, fileName, options, target, progress);
                }
            }
        }
        catch (RdbLoadException e)
        {
            throw new AofLoadException($"Bad RDB part in the append only file {fileName}: {e.Message}. Make a backup of your AOF file, then use {CheckTool} --fix <filename.manifest>");
        }
        lock (server.KeyspaceLock)
        {
            // rdb_last_load_keys_*: Redis sets them for an AOF's RDB part too.
            server.PersistenceStatus.LastLoadKeysLoaded = result.KeysLoaded;
            server.PersistenceStatus.LastLoadKeysExpired = result.KeysExpired;
        }
        _log.Notice($"Done loading RDB, keys loaded: {result.KeysLoaded}, keys expired: {result.KeysExpired}.");
        return result.BytesRead;
    }

    private bool DatasetIsEmpty()
    {
        lock (server.KeyspaceLock)
        {
            foreach (Database db in server.Databases)
            {
                if (db.Count > 0)
                {
                    return false;
                }
            }
            return true;
        }
    }

    private static bool IsMulti(ArgList args) => args.Count == 1 && System.Text.Ascii.EqualsIgnoreCase(args[0], "multi"u8);

    private static bool StartsWithRdbMagic(Stream stream)
    {
        Span<byte> head = stackalloc byte[5];
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return got == head.Length && head.SequenceEqual(s_rdbMagic);
    }
}
