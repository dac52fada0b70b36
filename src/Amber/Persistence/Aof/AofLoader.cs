using System.Diagnostics;
using System.Globalization;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Persistence.Rdb.Reading;
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
/// </summary>
internal sealed class AofLoader(AmberServer server, IFileSystem fs, AofManifestStore store)
{
    /// <summary>The repair tool named in fatal messages (Redis names ./redis-check-aof).</summary>
    public const string CheckTool = "amber-check-aof";

    /// <summary>Commands replayed per keyspace-lock hold, so a long load does not starve the cron.</summary>
    private const int CommandsPerLockHold = 1024;

    private static readonly byte[] s_rdbMagic = "REDIS"u8.ToArray();

    private readonly ServerLog _log = server.Log;

    public AofLoadResult Load(AofManifest manifest)
    {
        var files = new List<AofFileInfo>();
        if (manifest.Base != null)
        {
            files.Add(manifest.Base);
        }
        files.AddRange(manifest.Incrs);
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
                start = LoadRdbPart(stream, file.Name);
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

    /// <summary>
    /// Loads an RDB base or preamble into the server's databases, expired keys kept (as Redis loads an AOF base);
    /// returns the offset where the RESP tail starts.
    /// </summary>
    private long LoadRdbPart(Stream stream, string fileName)
    {
        ServerConfig config = server.Config;
        var options = new RdbLoadOptions
        {
            Limits = RdbValueLimits.From(config),
            Databases = config.Databases,
            DropExpiredKeys = false,
            VerifyChecksum = config.RdbChecksum,
            Warning = _log.Warning,
            // The keyspace lock is held for the whole load, so the insert thread is alone with the databases.
            Pipelined = Environment.ProcessorCount > 1,
        };
        var target = new DatabaseLoadTarget(server.Databases, replaceExisting: false, config.MaxMemoryPolicy,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        RdbLoadResult result;
        try
        {
            lock (server.KeyspaceLock)
            {
                result = RdbLoader.Load(stream, fileName, options, target);
            }
        }
        catch (RdbLoadException e)
        {
            throw new AofLoadException($"Bad RDB part in the append only file {fileName}: {e.Message}. Make a backup of your AOF file, then use {CheckTool} --fix <filename.manifest>");
        }
        _log.Notice($"Done loading RDB, keys loaded: {result.KeysLoaded}, keys expired: {result.KeysExpired}.");
        return result.BytesRead;
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
