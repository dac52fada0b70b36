using Amber.Persistence.RdbPersistence;
using Amber.Persistence.Storage;

namespace Amber.Persistence.Aof;

/// <summary>
/// One BGREWRITEAOF without fork: a point-in-time snapshot (started under the keyspace lock) drained by a dedicated
/// thread into a temp file in dir, fsynced. The service then, under the lock, moves it into the AOF directory as the
/// new base and installs the manifest naming it. New writes meanwhile go to the incr file opened at the start.
/// </summary>
internal sealed class AofRewrite
{
    private readonly AofService _service;
    private readonly IBackgroundRdbExport _export;
    private readonly IFileSystem _fs;
    private readonly string _directory;
    private readonly bool _incrementalFsync;
    private readonly string _basePathInDirectory;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AofRewrite(AofService service, IBackgroundRdbExport export, IFileSystem fs, string directory, string tempName,
        string baseName, string basePathInDirectory, string? firstIncrName, bool incrementalFsync)
    {
        _service = service;
        _export = export;
        _fs = fs;
        _directory = directory;
        TempName = tempName;
        BaseName = baseName;
        _basePathInDirectory = basePathInDirectory;
        FirstIncrName = firstIncrName;
        _incrementalFsync = incrementalFsync;
        StartUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public string TempName { get; }

    /// <summary>The base file this rewrite produces (its name in the AOF directory).</summary>
    public string BaseName { get; }

    /// <summary>The incr file opened when the rewrite started: it and later ones stay; earlier ones become history.
    /// Null when appendonly is off (every incr becomes history).</summary>
    public string? FirstIncrName { get; }

    public long StartUnixSeconds { get; }

    public long PeakPendingBytes => _export.PeakPendingBytes;

    /// <summary>Size of the new base once sealed (aof_base_size).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Completes when the thread has finished and the outcome is installed.</summary>
    public Task Completion => _done.Task;

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "amber-aof-rewrite" };
        thread.Start();
    }

    private void Run()
    {
        try
        {
            AtomicFileCommit? commit = null;
            Exception? error = null;
            try
            {
                // Published (renamed into the AOF directory) by the service, under the lock, with the manifest.
                commit = new AtomicFileCommit(_fs, _directory, TempName, _basePathInDirectory, _incrementalFsync);
                _export.DrainTo(commit);
                commit.Seal();
                BytesWritten = commit.BytesWritten;
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                _export.Dispose();
            }
            try
            {
                _service.OnRewriteEnded(this, error == null ? commit : null, error);
            }
            finally
            {
                // Removes the temp file unless the service moved it.
                commit?.Dispose();
            }
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Stops the rewrite (CONFIG SET appendonly no, SHUTDOWN): the snapshot is abandoned, the temp file removed.</summary>
    public void Kill() => _export.Abort();
}
