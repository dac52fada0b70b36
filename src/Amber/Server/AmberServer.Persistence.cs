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

    /// <summary>Before the listeners open: mark the server loading if there is a file, so no command sees an empty dataset.</summary>
    private void BeginStartupLoad()
    {
        // With appendonly yes only the AOF is loaded (Aof.Start, before this), as Redis ignores dump.rdb then.
        if (!Config.AppendOnly && DumpLoader.FileExists())
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
        var thread = new Thread(() => _startupLoad.TrySetResult(LoadAtStartup())) { IsBackground = true, Name = "amber-load" };
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
            Log.Warning($"Fatal error loading the RDB file {DumpLoader.FilePath}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warning($"Fatal error loading the DB: {e.Message}. Exiting.");
        }
        Log.Warning("Terminating server after rdb file reading failure.");
        return false;
    }
}
