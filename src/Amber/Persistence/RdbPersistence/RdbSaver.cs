using System.Diagnostics;
using Amber.Config;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>How a BGSAVE request ended (Redis's bgsaveCommand outcomes).</summary>
internal enum BackgroundSaveStart
{
    Started = 0,
    AlreadyRunning = 1,
    Scheduled = 2,
    OtherJobActive = 3,
}

/// <summary>
/// Writes dbfilename: SAVE (synchronous, under the keyspace lock), BGSAVE (a snapshot drained by a thread), the
/// save points the cron checks, and the saves FLUSHALL and SHUTDOWN make. Every file goes through
/// <see cref="AtomicFileCommit"/>, so a failure at any point leaves the previous dump intact. Methods other than
/// <see cref="OnBackgroundSaveEnded"/> are called with the keyspace lock held.
/// </summary>
internal sealed class RdbSaver
{
    private readonly AmberServer _server;
    private BackgroundSave? _running;
    private bool _scheduled;
    private long _backgroundSeq;

    public RdbSaver(AmberServer server)
    {
        _server = server;
        OtherJobActive = () => _running == null && server.RunningSnapshot != null;
    }

    /// <summary>The running BGSAVE, or null (INFO reads its progress).</summary>
    public BackgroundSave? Current => _running;

    public bool BackgroundSaveInProgress => _running != null;

    /// <summary>rdb_bgsave_scheduled: BGSAVE SCHEDULE (or BGSAVE in a transaction) waits for the other job to end.</summary>
    public bool BackgroundSaveScheduled => _scheduled;

    /// <summary>
    /// Whether another background job (the AOF rewrite) is running, as Redis's other child process: BGSAVE then
    /// fails or is scheduled. By default: someone else's snapshot is capturing (there is one at a time). The AOF may
    /// install a broader check (its rewrite still writing after the capture ended).
    /// </summary>
    public Func<bool> OtherJobActive { get; set; }

    private string Directory => _server.Config.Dir;

    /// <summary>SAVE: the whole dataset written now. False (with the reason logged) if the file could not be written.</summary>
    public bool Save()
    {
        string tempName = $"temp-{Environment.ProcessId}.rdb";
        try
        {
            using var commit = new AtomicFileCommit(_server.FileSystem, Directory, tempName, _server.Config.DbFilename,
                _server.Config.RdbSaveIncrementalFsync);
            RdbExport.WriteDataset(_server, commit);
            commit.Commit();
        }
        catch (FileCommitException e)
        {
            LogFailure(e, tempName);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not an I/O error (a bug in serialization): the save fails, the temp file is gone, the server goes on.
            _server.Log.Warning($"Error saving DB on disk: {e}");
            return false;
        }
        _server.Log.Notice("DB saved on disk");
        _server.Dirty = 0;
        _server.LastSaveUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _server.PersistenceStatus.LastBgsaveOk = true;
        return true;
    }

    /// <summary>BGSAVE [SCHEDULE]: starts a background save, or says why not.</summary>
    public BackgroundSaveStart RequestBackgroundSave(bool schedule, bool inTransaction)
    {
        if (_running != null)
        {
            return BackgroundSaveStart.AlreadyRunning;
        }
        if (OtherJobActive() || inTransaction)
        {
            if (schedule || inTransaction)
            {
                _scheduled = true;
                return BackgroundSaveStart.Scheduled;
            }
            return BackgroundSaveStart.OtherJobActive;
        }
        StartBackgroundSave();
        return BackgroundSaveStart.Started;
    }

    /// <summary>
    /// Starts the snapshot (under the lock, cheap) and its save thread. Redis's rdbSaveBackground: counts a save,
    /// remembers the attempt time for the retry delay. A file that cannot be written fails later, in the thread.
    /// </summary>
    public void StartBackgroundSave()
    {
        PersistenceState state = _server.PersistenceStatus;
        state.LastBgsaveTryUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        state.RdbSaves++;
        long t0 = Stopwatch.GetTimestamp();
        IBackgroundRdbExport export = RdbExport.StartSnapshot(_server);
        state.RecordFork((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        string tempName = $"temp-{Environment.ProcessId}-{++_backgroundSeq}.rdb";
        var job = new BackgroundSave(this, export, _server.FileSystem, Directory, _server.Config.DbFilename, tempName,
            _server.Config.RdbSaveIncrementalFsync, _server.Dirty);
        _running = job;
        _scheduled = false;
        _server.Log.Notice($"Background saving started (snapshot, no fork; writing {tempName})");
        job.Start();
    }

    /// <summary>Called by the save thread when it is done (without the lock): publishes the outcome as Redis's done handler.</summary>
    internal void OnBackgroundSaveEnded(BackgroundSave job, bool saved, Exception? error)
    {
        lock (_server.KeyspaceLock)
        {
            if (!ReferenceEquals(_running, job))
            {
                // Killed: its outcome was settled by Kill.
                return;
            }
            _running = null;
            PersistenceState state = _server.PersistenceStatus;
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            state.LastBgsaveDurationSeconds = now - job.StartUnixSeconds;
            state.LastCowBytes = job.PeakPendingBytes;
            if (saved)
            {
                _server.Log.Notice("DB saved on disk");
                _server.Log.Notice("Background saving terminated with success");
                _server.Dirty -= job.DirtyAtStart;
                _server.LastSaveUnixSeconds = now;
                state.LastBgsaveOk = true;
            }
            else
            {
                if (error is FileCommitException e)
                {
                    LogFailure(e, job.TempName);
                }
                else
                {
                    _server.Log.Warning($"Background save failed: {error}");
                }
                _server.Log.Warning("Background saving error");
                state.LastBgsaveOk = false;
            }
        }
    }

    /// <summary>Stops a running BGSAVE (FLUSHALL, SHUTDOWN, server stop): its temp file goes, the dump stays as it was.</summary>
    public void KillBackgroundSave()
    {
        BackgroundSave? job = _running;
        if (job == null)
        {
            return;
        }
        _running = null;
        job.Kill();
        _server.PersistenceStatus.LastBgsaveDurationSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - job.StartUnixSeconds;
        _server.Log.Warning("Background saving terminated: the snapshot was stopped");
    }

    /// <summary>Save points and a scheduled BGSAVE, checked by the server cron.</summary>
    public void Cron()
    {
        // Redis's cron does not run while loading (the dirty counter is 0 then anyway).
        if (_running != null || _server.Loading.Active || OtherJobActive())
        {
            return;
        }
        PersistenceState state = _server.PersistenceStatus;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (SavePoints.TryFindDue(_server.Config.Save, _server.Dirty, now, _server.LastSaveUnixSeconds, state.LastBgsaveOk,
                state.LastBgsaveTryUnixSeconds, out SavePoint due))
        {
            _server.Log.Notice($"{due.Changes} changes in {due.Seconds} seconds. Saving...");
            StartBackgroundSave();
            return;
        }
        if (_scheduled && (state.LastBgsaveOk || now - state.LastBgsaveTryUnixSeconds > SavePoints.RetryDelaySeconds))
        {
            StartBackgroundSave();
        }
    }

    /// <summary>
    /// FLUSHALL, as Redis 7.0: a running BGSAVE is killed and, with save points, the (now empty) dataset saved at
    /// once, which also resets the dirty counter.
    /// </summary>
    public void AfterFlushAll()
    {
        KillBackgroundSave();
        if (_server.Config.Save.Count > 0)
        {
            Save();
        }
    }

    /// <summary>
    /// The persistence part of SHUTDOWN (and SIGTERM): stop a BGSAVE, then save when asked to or when save points
    /// exist. False when the save failed and FORCE was not given: the server keeps running.
    /// </summary>
    public bool SaveBeforeExit(ShutdownRequest request)
    {
        lock (_server.KeyspaceLock)
        {
            if (_running != null)
            {
                _server.Log.Warning("There is a child saving an .rdb. Killing it!");
                KillBackgroundSave();
            }
            bool save = request.Save ?? _server.Config.Save.Count > 0;
            if (!save)
            {
                return true;
            }
            _server.Log.Notice("Saving the final RDB snapshot before exiting.");
            if (Save())
            {
                return true;
            }
            if (request.Force)
            {
                _server.Log.Warning("Error trying to save the DB. Exit anyway.");
                return true;
            }
            _server.Log.Warning("Error trying to save the DB, can't exit.");
            _server.Log.Warning("Errors trying to shut down the _server. Check the logs for more information.");
            return false;
        }
    }

    private void LogFailure(FileCommitException e, string tempName)
    {
        string message = e.InnerException?.Message ?? e.Message;
        switch (e.Phase)
        {
            case CommitPhase.Create:
                _server.Log.Warning($"Failed opening the temp RDB file {tempName} (in server root dir {Directory}) for saving: {message}");
                break;
            case CommitPhase.Rename:
                _server.Log.Warning($"Error moving temp DB file {tempName} on the final destination {_server.Config.DbFilename} (in server root dir {Directory}): {message}");
                break;
            default:
                string op = e.Phase switch
                {
                    CommitPhase.Write => "write",
                    CommitPhase.Fsync => "fsync",
                    _ => "fsync of the directory",
                };
                _server.Log.Warning($"Write error saving DB on disk ({op}): {message}");
                break;
        }
    }
}
