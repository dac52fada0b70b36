using Amber.Persistence.Rdb.Reading;
using Amber.Persistence.RdbPersistence;

namespace Amber.Server;

/// <summary>The server's persistence parts: the file seam, RDB saving and loading, and the startup load.</summary>
internal sealed partial class AmberServer
{
    private readonly TaskCompletionSource<bool> _startupLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _startupLoadPending;

    /// <summary>RDB save/load outcomes (INFO persistence, MISCONF).</summary>
    public PersistenceState PersistenceStatus { get; } = new();

    /// <summary>A dataset load in progress: -LOADING replies and INFO's loading fields.</summary>
    public LoadingState Loading { get; } = new();

    /// <summary>SAVE, BGSAVE, save points and the saves FLUSHALL and SHUTDOWN make.</summary>
    public RdbSaver Rdb { get; }

    /// <summary>Loads dbfilename (startup, DEBUG RELOAD).</summary>
    public RdbFileLoader DumpLoader { get; }

    /// <summary>
    /// Completes when the startup load is over: true when the dataset is ready (loaded, or no file), false when the
    /// file was damaged or unreadable (logged; the executable then exits with code 1, as Redis).
    /// </summary>
    public Task<bool> StartupLoad => _startupLoad.Task;

    /// <summary>
    /// Why the startup load failed (the exception whose message was logged), null while it has not: tests look at it,
    /// the executable only exits with code 1.
    /// </summary>
    public Exception? StartupLoadFailure { get; private set; }

    /// <summary>
    /// Before the listeners open: mark the server loading if there is something to load, so no command sees an empty
    /// dataset. With appendonly yes only the AOF is loaded, as Redis ignores dump.rdb then; a broken manifest, or a
    /// first AOF that cannot be created, throws here (startup stops before anything is served).
    /// </summary>
    private void BeginStartupLoad()
    {
        if (Config.AppendOnly)
        {
            long total = Aof.PrepareStartup();
            if (total >= 0)
            {
                Loading.Begin(total);
                _startupLoadPending = true;
                return;
            }
        }
        else if (DumpLoader.FileExists())
        {
            Loading.Begin(FileSystem.FileLength(DumpLoader.FilePath));
            _startupLoadPending = true;
            return;
        }
        _startupLoad.TrySetResult(true);
    }

    /// <summary>After the listeners open: load on a thread of its own; clients get -LOADING meanwhile, INFO shows progress.</summary>
    private void RunStartupLoad()
    {
        if (!_startupLoadPending)
        {
            return;
        }
        var thread = new Thread(() => _startupLoad.TrySetResult(Config.AppendOnly ? LoadAofAtStartup() : LoadAtStartup()))
        {
            IsBackground = true,
            Name = "amber-load",
        };
        thread.Start();
    }

    private bool LoadAtStartup()
    {
        try
        {
            DumpLoader.Load(LoadMode.Replace);
            return true;
        }
        catch (RdbLoadException e)
        {
            StartupLoadFailure = e;
            Log.Warning($"Fatal error loading the RDB file {DumpLoader.FilePath}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StartupLoadFailure = e;
            Log.Warning($"Fatal error loading the DB: {e.Message}. Exiting.");
        }
        Log.Warning("Terminating server after rdb file reading failure.");
        return false;
    }

    /// <summary>The AOF's base and incr files, then the writer; a damaged file ends startup (exit code 1), as Redis.</summary>
    private bool LoadAofAtStartup()
    {
        try
        {
            Aof.LoadAtStartup();
            Loading.End();
            return true;
        }
        catch (Exception e) when (e is Persistence.Aof.AofLoadException or Persistence.Aof.AofManifestException or IOException or UnauthorizedAccessException)
        {
            // As Redis: refuse to run on a partial dataset (the server stays loading until it exits); the message
            // names the file, the offset and the repair.
            StartupLoadFailure = e;
            Log.Warning(e.Message);
            return false;
        }
    }
}
