using Amber.Diagnostics;
using Amber.Persistence.Rdb;
using Amber.Persistence.Storage;
using Amber.Server;

namespace Amber.Persistence.Aof;

/// <summary>
/// The AOF's life on a server: loading at startup (with the legacy single-file upgrade), creating the Redis 7.0
/// multi-part layout, the writer while appendonly is on, CONFIG SET appendonly yes/no, the MISCONF condition and the
/// aof_* INFO fields. State changes run under the keyspace lock (startup, CONFIG SET, shutdown).
/// </summary>
internal sealed class AofService(AmberServer server)
{
    private AofManifest? _manifest;
    private AofManifestStore? _store;
    private long _baseSize;
    private long _sizeBeforeWriter;

    /// <summary>The open writer while appendonly is on (Redis's aof_state ON).</summary>
    public AofWriter? Writer { get; private set; }

    public bool Enabled => Writer != null;

    public string AofDirectory => Path.Combine(server.Config.Dir, server.Config.AppendDirname);

    private IFileSystem Fs => server.FileSystem;

    private ServerLog Log => server.Log;

    /// <summary>
    /// The MISCONF error for write commands while the AOF cannot be written or fsynced (Redis's
    /// writeCommandsDeniedByDiskError for the AOF); null while healthy or off.
    /// </summary>
    public string? DiskError => Writer is { LastWriteOk: false } w ? AofErrors.Misconf(w.LastWriteError) : null;

    /// <summary>
    /// Startup with appendonly yes: the AOF is the source of truth. Upgrades a legacy appendonly.aof, loads the base
    /// and incr files, creates what is missing (base, incr, manifest) and opens the writer. Throws
    /// <see cref="AofLoadException"/> or <see cref="AofManifestException"/> when startup must stop.
    /// </summary>
    public void Start()
    {
        var store = new AofManifestStore(Fs, AofDirectory, server.Config.AppendFilename);
        _store = store;
        UpgradeLegacyIfNeeded(store);
        AofManifest manifest = store.Load() ?? new AofManifest();
        var loaded = new AofLoadResult(0, 0, true);
        if (manifest.Base != null || manifest.Incrs.Count > 0)
        {
            loaded = new AofLoader(server, Fs, store).Load(manifest);
            // Redis starts counting changes afresh after loading the AOF.
            server.Dirty = 0;
        }
        _manifest = manifest;
        lock (server.KeyspaceLock)
        {
            EnsureDirectory();
            bool persist = false;
            if (manifest.Base == null && manifest.Incrs.Count == 0)
            {
                AofFileInfo created = WriteBase(manifest);
                Log.Notice($"Creating AOF base file {created.Name} on server start");
                persist = true;
            }
            IWritableFile file;
            if (manifest.Incrs.Count > 0)
            {
                AofFileInfo last = manifest.Incrs[^1];
                file = Fs.OpenAppend(store.PathOf(last.Name));
                Log.Notice($"Opening AOF incr file {last.Name} on server start");
            }
            else
            {
                AofFileInfo incr = manifest.AddNewIncr(server.Config.AppendFilename);
                file = Fs.Create(store.PathOf(incr.Name));
                Log.Notice($"Creating AOF incr file {incr.Name} on server start");
                persist = true;
            }
            if (persist)
            {
                store.Persist(manifest);
            }
            DeleteHistory(manifest);
            _baseSize = loaded.Empty ? 0 : loaded.BaseSize;
            // aof_current_size counts what was loaded plus what is written from now on (0 for a new AOF, as Redis).
            _sizeBeforeWriter = loaded.TotalSize - file.Length;
            OpenWriter(file);
        }
    }

    /// <summary>
    /// CONFIG SET appendonly yes: writes a base from the dataset, starts a new incr file and a manifest naming both,
    /// then opens the writer. Redis does this with a forked rewrite; here it is synchronous under the keyspace lock
    /// (not yet fork-less). Returns an error text for CONFIG SET, or null.
    /// </summary>
    public string? Enable()
    {
        if (Writer != null)
        {
            return null;
        }
        try
        {
            var store = new AofManifestStore(Fs, AofDirectory, server.Config.AppendFilename);
            _store = store;
            EnsureDirectory();
            AofManifest manifest = store.Load() ?? new AofManifest();
            AofManifest next = manifest.Clone();
            foreach (AofFileInfo old in next.Incrs)
            {
                next.History.Add(old with { Type = AofFileType.History });
            }
            next.Incrs.Clear();
            AofFileInfo baseFile = WriteBase(next);
            AofFileInfo incr = next.AddNewIncr(server.Config.AppendFilename);
            IWritableFile file = Fs.Create(store.PathOf(incr.Name));
            try
            {
                store.Persist(next);
            }
            catch (IOException)
            {
                file.Dispose();
                throw;
            }
            Log.Notice($"Creating AOF base file {baseFile.Name} and incr file {incr.Name} (synchronous rewrite under the keyspace lock)");
            _manifest = next;
            DeleteHistory(next);
            _sizeBeforeWriter = _baseSize;
            OpenWriter(file);
            return null;
        }
        catch (Exception e) when (e is IOException or AofManifestException or UnauthorizedAccessException)
        {
            Log.Warning($"Can't rewrite append only file in background: {e.Message}");
            return "Failed to enable the append only file: " + e.Message;
        }
    }

    /// <summary>CONFIG SET appendonly no: flush, fsync and close; files stay (Redis's stopAppendOnly).</summary>
    public void Disable()
    {
        AofWriter? w = Writer;
        if (w == null)
        {
            return;
        }
        Writer = null;
        server.Propagation.RemoveSink(w);
        if (!w.Close())
        {
            Log.Warning("Fail to fsync the AOF file: " + w.LastWriteError);
        }
        w.Dispose();
    }

    /// <summary>Shutdown: "Calling fsync() on the AOF file." and close.</summary>
    public void Shutdown()
    {
        if (Writer != null)
        {
            Log.Notice("Calling fsync() on the AOF file.");
            Disable();
        }
    }

    /// <summary>Completes once <paramref name="lsn"/> is durable (true) or its write failed (false); true when off.</summary>
    public ValueTask<bool> WaitDurableAsync(long lsn) => Writer is { } w ? w.WaitDurableAsync(lsn) : new ValueTask<bool>(true);

    /// <summary>aof_enabled ... aof_last_cow_size (INFO persistence).</summary>
    public void WriteStatus(InfoWriter w)
    {
        w.Field("aof_enabled", Writer != null ? 1 : 0);
        w.Field("aof_rewrite_in_progress", 0);
        w.Field("aof_rewrite_scheduled", 0);
        w.Field("aof_last_rewrite_time_sec", -1);
        w.Field("aof_current_rewrite_time_sec", -1);
        w.Field("aof_last_bgrewrite_status", "ok");
        w.Field("aof_rewrites", 0);
        w.Field("aof_rewrites_consecutive_failures", 0);
        w.Field("aof_last_write_status", Writer is { LastWriteOk: false } ? "err" : "ok");
        w.Field("aof_last_cow_size", 0);
    }

    /// <summary>aof_current_size ... aof_delayed_fsync: only while appendonly is on, after module_fork_*.</summary>
    public void WriteSizes(InfoWriter w)
    {
        if (Writer is not { } writer)
        {
            return;
        }
        w.Field("aof_current_size", _sizeBeforeWriter + writer.FileLength);
        w.Field("aof_base_size", _baseSize);
        w.Field("aof_pending_rewrite", 0);
        w.Field("aof_buffer_length", writer.BufferLength);
        w.Field("aof_pending_bio_fsync", writer.FsyncInProgress ? 1 : 0);
        w.Field("aof_delayed_fsync", writer.DelayedFsyncs);
    }

    private void OpenWriter(IWritableFile file)
    {
        Writer = new AofWriter(Fs, file, server.Config, Log);
        // Under the keyspace lock: the writer sees exactly the commands executed from now on.
        server.Propagation.AddSink(Writer);
    }

    private void EnsureDirectory()
    {
        if (!Fs.DirectoryExists(AofDirectory))
        {
            Fs.CreateDirectory(AofDirectory);
        }
    }

    /// <summary>
    /// Writes the dataset as a new base, RDB format (aof-base 1) when aof-use-rdb-preamble is yes, else RESP commands,
    /// to a temp file in dir, fsyncs it and renames it into the AOF directory; the manifest is updated in memory only.
    /// </summary>
    private AofFileInfo WriteBase(AofManifest manifest)
    {
        bool rdb = server.Config.AofUseRdbPreamble;
        string temp = Path.Combine(server.Config.Dir, $"temp-rewriteaof-{Environment.ProcessId}.aof");
        AofFileInfo info = manifest.SetNewBase(server.Config.AppendFilename, rdb);
        try
        {
            using (IWritableFile file = Fs.Create(temp))
            {
                if (rdb)
                {
                    using var chunks = new FileChunkWriter(file);
                    RdbDatasetWriter.WriteDataset(RdbDatasetWriter.CreateWriter(chunks, server), server, aofBase: true);
                    chunks.Flush();
                    _baseSize = chunks.BytesWritten;
                }
                else
                {
                    var writer = new AofDatasetWriter(file);
                    writer.Write(server.Databases, server.Config.AofTimestampEnabled);
                    _baseSize = writer.BytesWritten;
                }
                file.Sync();
            }
            Fs.Rename(temp, Path.Combine(AofDirectory, info.Name));
            Fs.SyncDirectory(AofDirectory);
        }
        catch (IOException)
        {
            try
            {
                if (Fs.FileExists(temp))
                {
                    Fs.Delete(temp);
                }
            }
            catch (IOException)
            {
            }
            throw;
        }
        return info;
    }

    /// <summary>Deletes history files and drops them from the manifest (Redis does it in the background).</summary>
    private void DeleteHistory(AofManifest manifest)
    {
        if (manifest.History.Count == 0 || _store == null)
        {
            return;
        }
        foreach (AofFileInfo h in manifest.History)
        {
            Log.Notice($"Removing the history file {h.Name} in the background");
            try
            {
                string path = _store.PathOf(h.Name);
                if (Fs.FileExists(path))
                {
                    Fs.Delete(path);
                }
            }
            catch (IOException e)
            {
                Log.Warning($"Failed to remove the history file {h.Name}: {e.Message}");
            }
        }
        manifest.History.Clear();
        try
        {
            _store.Persist(manifest);
        }
        catch (IOException e)
        {
            Log.Warning($"Failed to persist the AOF manifest without history files: {e.Message}");
        }
    }

    /// <summary>
    /// Redis 7.0's upgrade of a pre-7.0 AOF: a dir/appendonly.aof (plain RESP or with an RDB preamble) becomes the base
    /// of the multi-part layout. The manifest naming it is persisted before the file moves, so a crash in between
    /// repeats the upgrade on the next start.
    /// </summary>
    private void UpgradeLegacyIfNeeded(AofManifestStore store)
    {
        string name = server.Config.AppendFilename;
        string legacy = Path.Combine(server.Config.Dir, name);
        if (!Fs.FileExists(legacy))
        {
            return;
        }
        if (Fs.DirectoryExists(AofDirectory) && store.Exists)
        {
            AofManifest? existing = store.Load();
            bool onlyLegacyBase = existing != null && existing.Incrs.Count == 0 && existing.History.Count == 0 &&
                existing.Base?.Name == name && !Fs.FileExists(store.PathOf(name));
            if (existing != null && !existing.IsEmpty && !onlyLegacyBase)
            {
                return;
            }
        }
        EnsureDirectory();
        var manifest = new AofManifest { Base = new AofFileInfo(name, 1, AofFileType.Base), CurrentBaseSeq = 1 };
        store.Persist(manifest);
        Fs.Rename(legacy, store.PathOf(name));
        Fs.SyncDirectory(AofDirectory);
        Log.Notice($"Successfully migrated an old-style AOF file ({name}) into the AOF directory ({server.Config.AppendDirname}).");
    }
}
