using System.Runtime.InteropServices;

namespace Amber.Persistence;

/// <summary>
/// Lowers the OS scheduling priority of the calling thread while a snapshot's consumer encodes and writes (BGSAVE,
/// BGREWRITEAOF), so on a busy machine request threads win the CPU and the save takes what is left, as a forked
/// child at a lower priority would. The consumer never holds the keyspace lock, so a low priority cannot stall
/// clients (no priority inversion). On Linux, .NET's Thread.Priority does not change the scheduling of a normal
/// thread, so the nice value of the thread itself is set (setpriority on its thread id; raising a thread's nice
/// value needs no privilege). Elsewhere Thread.Priority is used. Best effort: failures are ignored.
/// </summary>
internal static partial class BackgroundThreadPriority
{
    /// <summary>How much nicer a saving thread is than the process (requests): well below, not quite SCHED_IDLE.</summary>
    public const int SaveNice = 10;

    /// <summary>The most a nice value can be on Linux.</summary>
    private const int MaxNice = 19;

    private const int PrioProcess = 0;
    private const int SchedIdle = 5;

    /// <summary>Lowers the calling thread; dispose the result to restore it (when the OS allows raising it back).</summary>
    public static Scope Lower()
    {
        if (OperatingSystem.IsLinux())
        {
            Hosting.EventThreadSlice.ResetCurrentThread();
            try
            {
                int tid = GetTid();
                int before = GetPriority(PrioProcess, tid);
                if (SetPriority(PrioProcess, tid, SaveNiceFor(before)) == 0)
                {
                    return new Scope(true, tid, before, ThreadPriority.Normal);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
            return default;
        }
        ThreadPriority previous = Thread.CurrentThread.Priority;
        Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        return new Scope(true, 0, 0, previous);
    }

    /// <summary>
    /// The nice value a saving thread gets: <see cref="SaveNice"/> above the process's own (its main thread's, as the
    /// operator started it, e.g. `nice -n -5 amber-server`), never below the thread's current value.
    /// </summary>
    public static int SaveNiceFor(int current) =>
        Math.Max(current, Math.Min(MaxNice, GetPriority(PrioProcess, Environment.ProcessId) + SaveNice));

    /// <summary>
    /// Puts the calling thread in Linux's SCHED_IDLE class: it runs only on CPUs nothing else wants, and a CPU running
    /// nothing but such threads counts as idle, so a waking request thread or client goes there at once instead of
    /// queueing behind another. There is no way back without CAP_SYS_NICE, so this is for a thread that can be
    /// dropped (<see cref="IdlePriorityDrain"/>). False where not supported.
    /// </summary>
    public static bool TryIdleCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            int unused = 0;
            return SetScheduler(GetTid(), SchedIdle, ref unused) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Whether the calling thread is in the SCHED_IDLE class (tests, diagnostics).</summary>
    public static bool CurrentThreadIsIdle() => OperatingSystem.IsLinux() && GetScheduler(GetTid()) == SchedIdle;

    /// <summary>The nice value of the calling thread on Linux (tests, diagnostics); 0 elsewhere.</summary>
    public static int CurrentNice() => OperatingSystem.IsLinux() ? GetPriority(PrioProcess, GetTid()) : 0;

    internal readonly struct Scope(bool lowered, int tid, int nice, ThreadPriority previous) : IDisposable
    {
        /// <summary>Whether the priority was actually lowered.</summary>
        public bool Lowered => lowered;

        public void Dispose()
        {
            if (!lowered)
            {
                return;
            }
            if (tid != 0)
            {
                // Lowering the nice value again needs CAP_SYS_NICE; without it the thread stays lower (it ends soon).
                _ = SetPriority(PrioProcess, tid, nice);
            }
            else
            {
                Thread.CurrentThread.Priority = previous;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int priority);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler", SetLastError = true)]
    private static partial int GetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
