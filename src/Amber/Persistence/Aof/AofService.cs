using System.Diagnostics;
using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Persistence.RdbPersistence;
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
    private AofRewrite? _rewrite;
    private bool _rewriteScheduled;
    private bool _rdbHookInstalled;
    private long _lastRewriteSeconds = -1;
    private bool _lastRewriteOk = true;
    private long _rewrites;
    private int _consecutiveFailures;
    private long _lastCowSize;
    private long _lastAutoRewriteTryUnixSeconds;
    private long _rewriteSeq;
    private bool _waitingForRewrite;
    private long _lastFailureUnixSeconds;

    /// <summary>Between PrepareStartup and the writer's opening: CONFIG SET appendonly must not start another AOF.</summary>
    private bool _startupLoadRunning;

    /// <summary>aof_rewrite_in_progress.</summary>
    public bool RewriteInProgress => _rewrite != null;

    /// <summary>aof_rewrite_scheduled: BGREWRITEAOF arrived while a BGSAVE (or MULTI) was running.</summary>
    public bool RewriteScheduled => _rewriteScheduled;

    /// <summary>The running rewrite, for tests waiting on its end.</summary>
    internal AofRewrite? CurrentRewrite => _rewrite;

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
    /// Startup with appendonly yes (the AOF is the source of truth), first part, before the listeners open: upgrades a
    /// legacy appendonly.aof and reads the manifest. When it lists files, returns their total size (loading_total_bytes)
    /// and <see cref="LoadAtStartup"/> loads them while clients get -LOADING; when it lists none, creates the base,
    /// incr file and manifest at once, opens the writer and returns -1. Throws <see cref="AofManifestException"/>
    /// or IOException when startup must stop.
    /// </summary>
    public long PrepareStartup()
    {
        var store = new AofManifestStore(Fs, AofDirectory, server.Config.AppendFilename);
        _store = store;
        UpgradeLegacyIfNeeded(store);
        AofManifest manifest = store.Load() ?? new AofManifest();
        _manifest = manifest;
        if (manifest.Base != null || manifest.Incrs.Count > 0)
        {
            _startupLoadRunning = true;
            return AofLoader.TotalSize(Fs, store, manifest);
        }
        OpenAfterLoad(manifest, new AofLoadResult(0, 0, true));
        return -1;
    }

    /// <summary>
    /// Startup, second part (on the load thread, after <see cref="PrepareStartup"/> returned a size): loads the base
    /// and incr files, then opens the writer on the last incr file. Throws <see cref="AofLoadException"/> (file and
    /// offset named), <see cref="AofManifestException"/> or IOException when startup must stop.
    /// </summary>
    public void LoadAtStartup()
    {
        AofManifest manifest = _manifest!;
        // The replayed commands stay counted in the dirty counter (rdb_changes_since_last_save), as in Redis 7.0: with
        // save points a BGSAVE follows a large load. Only DEBUG LOADAOF resets it.
        AofLoadResult loaded = new AofLoader(server, Fs, _store!).Load(manifest);
        OpenAfterLoad(manifest, loaded);
    }

    /// <summary>Creates what is missing (base, incr file, manifest), deletes history and opens the writer.</summary>
    private void OpenAfterLoad(AofManifest manifest, AofLoadResult loaded)
    {
        AofManifestStore store = _store!;
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
            _startupLoadRunning = false;
            if (server.Config.AppendOnly)
            {
                OpenWriter(file);
            }
            else
            {
                // CONFIG SET appendonly no arrived while the AOF loaded: the files stay, the AOF stays off.
                file.Dispose();
            }
        }
    }

    /// <summary>
    /// DEBUG LOADAOF, under the keyspace lock (the whole server waits, as Redis's single thread does): the writer's
    /// buffer is written and fsynced (the writer is closed and reopened on the same file, so nothing replayed is
    /// appended again), the dataset is emptied and the files the manifest on disk lists are loaded, whether
    /// appendonly is on or not. The dirty counter is reset; aof_current_size becomes the size of the loaded files.
    /// Returns null, or the reason (logged) when there is no AOF to load or a file is damaged. Redis exits in those
    /// cases; here the command fails: with nothing to load the dataset is left untouched, after damage it holds
    /// what was loaded before the damage.
    /// </summary>
    public string? LoadForDebug()
    {
        var store = new AofManifestStore(Fs, AofDirectory, server.Config.AppendFilename);
        AofManifest? manifest;
        try
        {
            manifest = store.Load();
        }
        catch (Exception e) when (e is AofManifestException or IOException or UnauthorizedAccessException)
        {
            return DebugLoadFailed(e.Message);
        }
        if (manifest == null || (manifest.Base == null && manifest.Incrs.Count == 0))
        {
            return DebugLoadFailed($"no AOF files are listed by {store.ManifestPath}");
        }
        foreach (AofFileInfo f in AofLoader.FilesOf(manifest))
        {
            if (!Fs.FileExists(store.PathOf(f.Name)))
            {
                return DebugLoadFailed($"The AOF file {f.Name} doesn't exist");
            }
        }
        AofWriter? writer = Writer;
        bool rewriteInProgress = writer?.RewriteInProgress ?? false;
        if (writer != null)
        {
            // Redis's flushAppendOnlyFile(1); also keeps the replay out of the propagation stream (Redis turns the
            // AOF off while it loads).
            Writer = null;
            server.Propagation.RemoveSink(writer);
            if (!writer.Close())
            {
                Log.Warning("Fail to fsync the AOF file: " + writer.LastWriteError);
            }
            writer.Dispose();
        }
        foreach (Database db in server.Databases)
        {
            server.Effects.DatabaseModified(db.Index);
        }
        server.FlushAll();
        string? error = null;
        AofLoadResult loaded = default;
        server.Loading.Begin(AofLoader.TotalSize(Fs, store, manifest));
        try
        {
            loaded = new AofLoader(server, Fs, store).Load(manifest);
        }
        catch (Exception e) when (e is AofLoadException or IOException or UnauthorizedAccessException)
        {
            error = DebugLoadFailed(e.Message);
        }
        finally
        {
            server.Loading.End();
            if (writer != null)
            {
                OpenWriter(Fs.OpenAppend(writer.FilePath));
                Writer!.RewriteInProgress = rewriteInProgress;
            }
        }
        // Redis: "Prevent AOF / replication" of what was loaded.
        server.Dirty = 0;
        if (error != null)
        {
            return error;
        }
        _baseSize = loaded.Empty ? 0 : loaded.BaseSize;
        bool writerFileListed = Writer != null && !_waitingForRewrite &&
            manifest.Incrs.Count > 0 && store.PathOf(manifest.Incrs[^1].Name) == Writer.FilePath;
        _sizeBeforeWriter = loaded.TotalSize - (writerFileListed ? Writer!.FileLength : 0);
        Log.Warning("Append Only File loaded by DEBUG LOADAOF");
        return null;
    }

    private string DebugLoadFailed(string reason)
    {
        Log.Warning($"DEBUG LOADAOF failed: {reason}");
        return reason;
    }

    /// <summary>
    /// CONFIG SET appendonly yes, as Redis 7.0's startAppendOnly: the writer opens at once on a temp incr file (so
    /// aof_enabled is 1 and no write is missed) and a fork-less rewrite writes the base; when it ends, the temp incr
    /// file becomes the next incr file and the manifest naming base and incr is installed. Behind a BGSAVE the rewrite
    /// is scheduled. Until then the manifest on disk is the previous one. Returns an error text for CONFIG SET, or null.
    /// </summary>
    public string? Enable()
    {
        if (Writer != null || _startupLoadRunning)
        {
            // During the startup load appendonly is already yes: the writer opens when the load ends.
            return null;
        }
        try
        {
            var store = new AofManifestStore(Fs, AofDirectory, server.Config.AppendFilename);
            _store = store;
            EnsureDirectory();
            _manifest = store.Load() ?? new AofManifest();
            IWritableFile file = Fs.Create(store.PathOf(TempIncrName));
            _sizeBeforeWriter = 0;
            OpenWriter(file);
            _waitingForRewrite = true;
        }
        catch (Exception e) when (e is IOException or AofManifestException or UnauthorizedAccessException)
        {
            Log.Warning($"Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error: {e.Message}");
            return "Failed to enable the append only file: " + e.Message;
        }
        if (server.Rdb.BackgroundSaveInProgress || server.RunningSnapshot != null)
        {
            _rewriteScheduled = true;
            Log.Notice("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        }
        else
        {
            StartRewrite();
        }
        return null;
    }

    /// <summary>Redis's temp incr file while the first rewrite runs (aof_state WAIT_REWRITE).</summary>
    private string TempIncrName => "temp-" + server.Config.AppendFilename + ".incr";

    /// <summary>CONFIG SET appendonly no: flush, fsync and close; files stay (Redis's stopAppendOnly).</summary>
    public void Disable()
    {
        KillRewrite();
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
        if (_waitingForRewrite)
        {
            // The initial rewrite never finished: its temp incr file is not named by any manifest.
            _waitingForRewrite = false;
            TryDelete(Path.Combine(AofDirectory, TempIncrName));
        }
    }

    /// <summary>Shutdown: "Calling fsync() on the AOF file." and close.</summary>
    public void Shutdown()
    {
        KillRewrite();
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
        AofRewrite? running = _rewrite;
        w.Field("aof_rewrite_in_progress", running != null ? 1 : 0);
        w.Field("aof_rewrite_scheduled", _rewriteScheduled ? 1 : 0);
        w.Field("aof_last_rewrite_time_sec", _lastRewriteSeconds);
        w.Field("aof_current_rewrite_time_sec", running != null ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() - running.StartUnixSeconds : -1);
        w.Field("aof_last_bgrewrite_status", _lastRewriteOk ? "ok" : "err");
        w.Field("aof_rewrites", _rewrites);
        w.Field("aof_rewrites_consecutive_failures", _consecutiveFailures);
        w.Field("aof_last_write_status", Writer is { LastWriteOk: false } ? "err" : "ok");
        w.Field("aof_last_cow_size", _lastCowSize);
    }

    /// <summary>aof_current_size ... aof_delayed_fsync: only while appendonly is yes, after module_fork_*.</summary>
    public void WriteSizes(InfoWriter w)
    {
        if (Writer is not { } writer)
        {
            if (server.Config.AppendOnly)
            {
                // While the AOF loads (no writer yet, aof_enabled:0) Redis already shows these, all zero.
                w.Field("aof_current_size", 0);
                w.Field("aof_base_size", 0);
                w.Field("aof_pending_rewrite", 0);
                w.Field("aof_buffer_length", 0);
                w.Field("aof_pending_bio_fsync", 0);
                w.Field("aof_delayed_fsync", 0);
            }
            return;
        }
        w.Field("aof_current_size", _sizeBeforeWriter + writer.FileLength);
        w.Field("aof_base_size", _baseSize);
        w.Field("aof_pending_rewrite", _rewriteScheduled ? 1 : 0);
        w.Field("aof_buffer_length", writer.BufferLength);
        w.Field("aof_pending_bio_fsync", writer.FsyncInProgress ? 1 : 0);
        w.Field("aof_delayed_fsync", writer.DelayedFsyncs);
        // Amber's own (not in Redis): commands made durable per fsync, the group commit at work under always.
        w.Field2("aof_fsync_requests_per_round", writer.CommandsPerFsync);
        // Amber's own: how the group commit groups busy clients under always (GroupCommitCohorts): 1 or 2 cohorts.
        w.Field("aof_group_commit_cohorts", writer.GroupCommitCohorts);
    }

    /// <summary>BGREWRITEAOF: starts the fork-less rewrite, schedules it behind a BGSAVE, or says why not.</summary>
    public AofRewriteStart RequestRewrite(bool inTransaction)
    {
        if (_rewrite != null)
        {
            return AofRewriteStart.AlreadyRunning;
        }
        if (server.Rdb.BackgroundSaveInProgress || server.RunningSnapshot != null || inTransaction)
        {
            _rewriteScheduled = true;
            return AofRewriteStart.Scheduled;
        }
        return StartRewrite() ? AofRewriteStart.Started : AofRewriteStart.Failed;
    }

    /// <summary>
    /// Redis 7.0's rewriteAppendOnlyFileBackground, without fork; under the keyspace lock. With appendonly on, first a
    /// new incr file (seq + 1) and a manifest naming it, so writes from now on land there; then the snapshot whose
    /// sink writes the new base. False (logged) when the incr file or manifest could not be written.
    /// </summary>
    private bool StartRewrite()
    {
        InstallRdbHook();
        _rewriteScheduled = false;
        var store = _store ??= new AofManifestStore(Fs, AofDirectory, server.Config.AppendFilename);
        string? firstIncr = null;
        AofManifest manifest;
        try
        {
            EnsureDirectory();
            manifest = _manifest ?? store.Load() ?? new AofManifest();
            if (Writer != null && !_waitingForRewrite)
            {
                firstIncr = OpenNewIncr(store, manifest);
                manifest = _manifest!;
            }
        }
        catch (Exception e) when (e is IOException or AofManifestException or UnauthorizedAccessException)
        {
            Log.Warning($"Can't rewrite append only file in background: {e.Message}");
            RecordRewriteFailure();
            return false;
        }
        _rewrites++;
        bool rdb = server.Config.AofUseRdbPreamble;
        string baseName = AofManifest.BaseName(server.Config.AppendFilename, manifest.CurrentBaseSeq + 1, rdb);
        ISnapshotSink sink = rdb ? new RdbSnapshotSink(server, aofBase: true) : new AofSnapshotSink(server.Config.AofTimestampEnabled);
        long t0 = Stopwatch.GetTimestamp();
        IBackgroundRdbExport export = RdbExport.StartSnapshot(server, sink, rdbTrailer: rdb);
        server.PersistenceStatus.RecordFork((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        string temp = $"temp-rewriteaof-bg-{Environment.ProcessId}-{++_rewriteSeq}.aof";
        var job = new AofRewrite(this, export, Fs, server.Config.Dir, temp, baseName,
            Path.Combine(server.Config.AppendDirname, baseName), firstIncr, server.Config.AofRewriteIncrementalFsync);
        _rewrite = job;
        if (Writer != null)
        {
            Writer.RewriteInProgress = true;
        }
        Log.Notice($"Background append only file rewriting started (snapshot, no fork; writing {temp})");
        job.Start();
        return true;
    }

    /// <summary>
    /// Redis's openNewIncrAofForAppend: creates the next incr file, persists a manifest naming it, then switches the
    /// writer to it (the old one is flushed, fsynced and closed). Returns the new incr file's name.
    /// </summary>
    private string OpenNewIncr(AofManifestStore store, AofManifest manifest)
    {
        AofManifest next = manifest.Clone();
        AofFileInfo incr = next.AddNewIncr(server.Config.AppendFilename);
        string path = store.PathOf(incr.Name);
        IWritableFile file = Fs.Create(path);
        try
        {
            store.Persist(next);
        }
        catch (IOException)
        {
            file.Dispose();
            TryDelete(path);
            throw;
        }
        AofWriter old = Writer!;
        server.Propagation.RemoveSink(old);
        if (!old.Close())
        {
            Log.Warning("Fail to fsync the AOF file: " + old.LastWriteError);
        }
        _sizeBeforeWriter += old.FileLength;
        old.Dispose();
        _manifest = next;
        OpenWriter(file);
        Log.Notice($"Creating AOF incr file {incr.Name} on background rewrite");
        return incr.Name;
    }

    /// <summary>
    /// Called by the rewrite thread when it is done (without the lock). On success, under the lock: the sealed temp
    /// file becomes the new base in the AOF directory, then the manifest naming it (with the incr files from the
    /// rewrite's first one on) replaces the old one atomically; older files become history and are deleted. A crash
    /// before the manifest's rename leaves the old manifest, which still names every incr file written since.
    /// </summary>
    internal void OnRewriteEnded(AofRewrite job, AtomicFileCommit? sealedBase, Exception? error)
    {
        lock (server.KeyspaceLock)
        {
            if (!ReferenceEquals(_rewrite, job))
            {
                // Killed: settled by KillRewrite.
                return;
            }
            _rewrite = null;
            if (Writer != null)
            {
                Writer.RewriteInProgress = false;
            }
            _lastRewriteSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - job.StartUnixSeconds;
            _lastCowSize = job.PeakPendingBytes;
            if (sealedBase != null)
            {
                try
                {
                    InstallRewrittenBase(job, sealedBase);
                    Log.Notice("Background AOF rewrite terminated with success");
                    Log.Notice("Background AOF rewrite finished successfully");
                    _lastRewriteOk = true;
                    _consecutiveFailures = 0;
                    return;
                }
                catch (Exception e) when (e is IOException or FileCommitException or AofManifestException or UnauthorizedAccessException)
                {
                    error = e;
                    TryDelete(Path.Combine(AofDirectory, job.BaseName));
                }
            }
            string reason = error is FileCommitException f ? f.InnerException?.Message ?? f.Message : error?.Message ?? "unknown error";
            Log.Warning($"Background AOF rewrite failed: {reason}");
            RecordRewriteFailure();
        }
    }

    private void InstallRewrittenBase(AofRewrite job, AtomicFileCommit sealedBase)
    {
        AofManifestStore store = _store!;
        AofManifest next = (_manifest ?? store.Load() ?? new AofManifest()).Clone();
        AofFileInfo info = next.SetNewBase(server.Config.AppendFilename, server.Config.AofUseRdbPreamble);
        if (info.Name != job.BaseName)
        {
            throw new AofManifestException($"The rewritten base {job.BaseName} does not follow the manifest's base sequence ({info.Name}).");
        }
        int keepFrom = job.FirstIncrName == null ? next.Incrs.Count : next.Incrs.FindIndex(i => i.Name == job.FirstIncrName);
        if (keepFrom < 0)
        {
            keepFrom = next.Incrs.Count;
        }
        for (int i = 0; i < keepFrom; i++)
        {
            next.History.Add(next.Incrs[i] with { Type = AofFileType.History });
        }
        next.Incrs.RemoveRange(0, keepFrom);
        sealedBase.Publish();
        if (_waitingForRewrite)
        {
            // The writes made since CONFIG SET appendonly yes become the first incr file after the new base.
            AofFileInfo incr = next.AddNewIncr(server.Config.AppendFilename);
            Fs.Rename(store.PathOf(TempIncrName), store.PathOf(incr.Name));
        }
        Fs.SyncDirectory(AofDirectory);
        store.Persist(next);
        _waitingForRewrite = false;
        _manifest = next;
        _baseSize = job.BytesWritten;
        if (Writer != null)
        {
            // aof_current_size: the new base plus the incr file being written (the only one left).
            _sizeBeforeWriter = _baseSize;
        }
        DeleteHistory(next);
    }

    private void RecordRewriteFailure()
    {
        _lastRewriteOk = false;
        _consecutiveFailures++;
        _lastFailureUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (_waitingForRewrite)
        {
            // appendonly yes is not in effect until a rewrite succeeds: the cron tries again.
            _rewriteScheduled = true;
        }
    }

    /// <summary>Stops a running rewrite: its temp file goes; the manifest on disk is left as it is (it loads).</summary>
    private void KillRewrite()
    {
        AofRewrite? job = _rewrite;
        _rewriteScheduled = false;
        if (job == null)
        {
            return;
        }
        _rewrite = null;
        if (Writer != null)
        {
            Writer.RewriteInProgress = false;
        }
        Log.Notice("Killing running AOF rewrite");
        job.Kill();
    }

    /// <summary>BGSAVE is refused (or scheduled) while the rewrite runs, as with Redis's other child process.</summary>
    private void InstallRdbHook()
    {
        if (_rdbHookInstalled)
        {
            return;
        }
        _rdbHookInstalled = true;
        Func<bool> previous = server.Rdb.OtherJobActive;
        server.Rdb.OtherJobActive = () => _rewrite != null || previous();
    }

    /// <summary>
    /// The server cron: a scheduled BGREWRITEAOF once no BGSAVE runs, and Redis's automatic rewrite when the AOF has
    /// grown auto-aof-rewrite-percentage over its base and past auto-aof-rewrite-min-size.
    /// </summary>
    public void Cron()
    {
        if (_rewrite != null || server.Rdb.BackgroundSaveInProgress || server.RunningSnapshot != null || server.Loading.Active)
        {
            return;
        }
        if (_rewriteScheduled)
        {
            // After a failure, the retry waits a little (Redis's retry delay for failed background jobs).
            if (_lastRewriteOk || DateTimeOffset.UtcNow.ToUnixTimeSeconds() - _lastFailureUnixSeconds >= RetryDelaySeconds)
            {
                StartRewrite();
            }
            return;
        }
        if (_waitingForRewrite)
        {
            return;
        }
        if (Writer is not { } writer || server.Config.AutoAofRewritePercentage <= 0)
        {
            return;
        }
        long current = _sizeBeforeWriter + writer.FileLength;
        if (current <= server.Config.AutoAofRewriteMinSize)
        {
            return;
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (_consecutiveFailures > AutoRewriteFailureThreshold &&
            now - _lastAutoRewriteTryUnixSeconds < AutoRewriteBackoffSeconds(_consecutiveFailures))
        {
            return;
        }
        long baseSize = _baseSize > 0 ? _baseSize : 1;
        long growth = current * 100 / baseSize - 100;
        if (growth >= server.Config.AutoAofRewritePercentage)
        {
            Log.Notice($"Starting automatic rewriting of AOF on {growth}% growth");
            _lastAutoRewriteTryUnixSeconds = now;
            StartRewrite();
        }
    }

    private const int RetryDelaySeconds = 5;

    /// <summary>After this many failed rewrites in a row the automatic rewrite backs off (Redis 7.0 does the same).</summary>
    private const int AutoRewriteFailureThreshold = 3;

    /// <summary>Doubling minutes per further failure, capped at an hour.</summary>
    private static long AutoRewriteBackoffSeconds(int failures) =>
        60L * Math.Min(60, 1L << Math.Min(6, failures - AutoRewriteFailureThreshold));

    private void TryDelete(string path)
    {
        try
        {
            if (Fs.FileExists(path))
            {
                Fs.Delete(path);
            }
        }
        catch (IOException)
        {
        }
    }

    private void OpenWriter(IWritableFile file)
    {
        Writer = new AofWriter(Fs, file, server.Config, Log)
        {
            BackgroundSaveActive = () => server.Rdb.BackgroundSaveInProgress,
            ReleaseQueue = Hosting.EventThreadQueue.Shared,
        };
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
                    using var chunks = new FlushingBufferWriter(file.Write);
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

/// <summary>How a BGREWRITEAOF request ended (Redis's bgrewriteaofCommand outcomes).</summary>
internal enum AofRewriteStart
{
    Started = 0,
    AlreadyRunning = 1,
    Scheduled = 2,
    Failed = 3,
}
