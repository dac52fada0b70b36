using Amber.Persistence.Storage;

namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// One BGSAVE: a point-in-time snapshot (started under the keyspace lock) drained by a dedicated thread into a temp
/// file, which replaces dbfilename only if everything succeeded. Redis's forked child, without the fork: the
/// snapshot copies only what writers are about to change, and INFO's "cow" numbers are its buffered bytes.
/// </summary>
internal sealed class BackgroundSave
{
    private readonly RdbSaver _saver;
    private readonly IBackgroundRdbExport _export;
    private readonly IFileSystem _fs;
    private readonly string _directory;
    private readonly string _fileName;
    private readonly bool _incrementalFsync;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Taken around the rename, so a kill either comes before it (no rename ever) or after it.</summary>
    private readonly object _publishGate = new();
    private bool _killed;

    public BackgroundSave(RdbSaver saver, IBackgroundRdbExport export, IFileSystem fs, string directory, string fileName,
        string tempName, bool incrementalFsync, long dirtyAtStart)
    {
        _saver = saver;
        _export = export;
        _fs = fs;
        _directory = directory;
        _fileName = fileName;
        TempName = tempName;
        _incrementalFsync = incrementalFsync;
        DirtyAtStart = dirtyAtStart;
        StartUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public string TempName { get; }

    /// <summary>Redis's dirty_before_bgsave: what a success subtracts from the dirty counter.</summary>
    public long DirtyAtStart { get; }

    public long StartUnixSeconds { get; }

    public long KeysProcessed => _export.KeysProcessed;
    public long KeysTotal => _export.KeysTotal;
    public long PendingBytes => _export.PendingBytes;
    public long PeakPendingBytes => _export.PeakPendingBytes;

    /// <summary>Completes when the thread has finished (saved, failed or killed) and the server state is updated.</summary>
    public Task Completion => _done.Task;

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "amber-bgsave" };
        thread.Start();
    }

    private void Run()
    {
        bool saved = false;
        Exception? error = null;
        try
        {
            using var commit = new AtomicFileCommit(_fs, _directory, TempName, _fileName, _incrementalFsync);
            _export.DrainTo(commit);
            commit.Seal();
            lock (_publishGate)
            {
                if (_killed)
                {
                    // Disposing the commit removes the temp file: a killed save never replaces the dump.
                    return;
                }
                commit.Publish();
            }
            commit.SyncDirectory();
            saved = true;
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            _export.Dispose();
            _saver.OnBackgroundSaveEnded(this, saved, error);
            _done.TrySetResult();
        }
    }

    /// <summary>Stops the save (FLUSHALL, SHUTDOWN): the snapshot is abandoned and the temp file removed.</summary>
    public void Kill()
    {
        lock (_publishGate)
        {
            _killed = true;
        }
        _export.Abort();
    }
}

/// <summary>
/// A point-in-time RDB export running beside the server: the snapshot produces the bytes of a whole RDB file, the
/// save thread drains them. Progress numbers are read by INFO from other threads.
/// </summary>
internal interface IBackgroundRdbExport : IDisposable
{
    long KeysProcessed { get; }
    long KeysTotal { get; }

    /// <summary>Bytes serialized but not yet drained (Redis's current_cow_size counterpart).</summary>
    long PendingBytes { get; }
    long PeakPendingBytes { get; }

    /// <summary>Runs on the save thread: writes the complete file (header to checksum) into <paramref name="output"/>.
    /// Throws when a write fails or the export was aborted.</summary>
    void DrainTo(AtomicFileCommit output);

    /// <summary>Abandons the export from another thread; a running <see cref="DrainTo"/> then throws.</summary>
    void Abort();
}
