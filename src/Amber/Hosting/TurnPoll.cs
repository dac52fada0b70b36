using System.Diagnostics;
using System.Net.Sockets;

namespace Amber.Hosting;

/// <summary>
/// After a turn whose replies went out together (<see cref="Server.ReplyBatching"/>), the event thread polls the
/// client sockets for a few microseconds before it goes to sleep in epoll_wait, and returns as soon as one has data.
/// A client's send that finds the thread polling wakes nobody; one that finds it asleep in epoll_wait pays a cross-CPU
/// wake-up inside its send. At pipeline 1 that wake-up was the largest single cost of redis-benchmark, the bottleneck,
/// against Amber: Amber spends less CPU per request than Redis, so it ran dry and slept after about one request in
/// twelve (Redis, one in fifty).
/// <para>
/// How: zero-timeout epoll_wait calls. Amber's own <see cref="EventLoop"/> polls its epoll instance. On .NET's socket
/// engine, <see cref="Poll()"/> polls a second epoll instance, private, that watches every client socket (and the
/// listeners and the <see cref="SocketDoorbell"/>) level-triggered for input; .NET's own epoll still gets every event,
/// since a socket's readiness is reported to each instance that watches it.
/// </para>
/// <para>
/// When not to poll: a poll that found nothing, or that found a request already there (epoll_wait would not have slept
/// either), was not needed. While fewer than 8% of the recent polls were needed, only one batched turn in 32 polls. So
/// a server whose clients come less often than the window does not burn CPU on them, and one that never runs dry (the
/// server as busy as its clients) does not pay a system call per turn for nothing. Measured at pipeline 1 with 50
/// clients: LRANGE 0 99, where Amber needs less CPU per request than the client, 23% of the polls were needed; SET,
/// 1%. Nor does it poll while the event thread has lately waited for a CPU (<see cref="CpuContention"/>): its time on
/// a shared CPU is better spent on requests.
/// </para>
/// <para>
/// Linux only. <see cref="WindowVariable"/> sets the window in microseconds (<see cref="DefaultWindowMicros"/>);
/// 0 turns polling off.
/// </para>
/// </summary>
internal sealed unsafe class TurnPoll : IDisposable
{
    public const string WindowVariable = "AMBER_TURN_POLL_US";
    public const int DefaultWindowMicros = 20;
    // The share of recent polls that saw a request come, in 1/256ths, moving 1/16 of the way to each poll's outcome.
    private const int ShareOne = 256;
    private const int ShareStep = 4;

    // Below this share (8%) a poll costs more than it saves; one turn in ProbeEvery still polls, to notice a change.
    private const int PollingShare = 20;
    private const int ProbeEvery = 32;

    // Between two polls of the epoll instance (each a system call), a pause that leaves the CPU to nobody else.
    private const int SpinsBetweenPolls = 30;

    private static readonly Lazy<TurnPoll?> s_shared = new(TryCreate);

    // The private epoll instance of .NET's engine; -1 where Amber's loop runs (it polls its own).
    private readonly int _epoll;
    private readonly long _windowTicks;
    private bool _watchContention;
    private CpuContention? _contention;
    private int _usefulShare = ShareOne;
    private int _sinceProbe;
    private long _polls;
    private long _hits;

    private TurnPoll(int epoll, long windowTicks, bool watchContention)
    {
        _epoll = epoll;
        _windowTicks = windowTicks;
        _watchContention = watchContention;
    }

    /// <summary>The process's poller, or null when polling is off or not possible here.</summary>
    public static TurnPoll? Shared => s_shared.Value;

    /// <summary>Polls made (INFO stats).</summary>
    public long Polls => Volatile.Read(ref _polls);

    /// <summary>Polls that waited for a socket and saw it get data: each saved the client a wake-up (INFO stats).</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>
    /// Adds <paramref name="socket"/> to the sockets watched (it leaves the set when it closes); nothing where Amber's
    /// loop runs, which watches every client socket itself.
    /// </summary>
    public void Watch(Socket socket)
    {
        if (_epoll < 0)
        {
            return;
        }
        try
        {
            // Fails only for a socket already closed: nothing to watch then.
            _ = Linux.EpollCtl(_epoll, Linux.EpollCtlAdd, (int)socket.SafeHandle.DangerousGetHandle(), Linux.EpollIn, 0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// On .NET's event thread, at the end of a batched turn: polls the private epoll instance, which watches the client
    /// sockets, and returns when one has data or after the window.
    /// </summary>
    public void Poll()
    {
        ulong* events = stackalloc ulong[2];
        _ = Poll(_epoll, (byte*)events, 1);
    }

    /// <summary>
    /// Unless the poll should stand down (see the class notes): polls <paramref name="epoll"/> with a zero timeout, with a
    /// short spin between polls, until it reports events, the window ends or <paramref name="stop"/> says so. Returns
    /// what the last epoll_wait returned (the events are in <paramref name="events"/>); 0 when nothing came or no poll
    /// was made. <see cref="EventLoop"/> polls its own epoll instance this way and takes the events as its next turn.
    /// </summary>
    public int Poll(int epoll, byte* events, int maxEvents, Func<bool>? stop = null)
    {
        if (!ShouldPoll())
        {
            return 0;
        }
        int ready = Linux.EpollWaitNow(epoll, events, maxEvents);
        if (ready != 0)
        {
            // A request already there: epoll_wait would not have slept, so the poll was not needed.
            Record(useful: false);
            return ready;
        }
        long deadline = Stopwatch.GetTimestamp() + _windowTicks;
        while (Stopwatch.GetTimestamp() < deadline && stop?.Invoke() != true)
        {
            Thread.SpinWait(SpinsBetweenPolls);
            ready = Linux.EpollWaitNow(epoll, events, maxEvents);
            if (ready != 0)
            {
                Record(useful: true);
                return ready;
            }
        }
        Record(useful: false);
        return 0;
    }

    // Whether to poll now (see the class notes); counts the poll when it is made.
    private bool ShouldPoll()
    {
        if (_usefulShare < PollingShare && ++_sinceProbe < ProbeEvery)
        {
            return false;
        }
        _sinceProbe = 0;
        if (_watchContention && _contention == null)
        {
            // Opened once, on the polling thread (the watch is per thread); where it cannot be, polls go unwatched.
            _contention = CpuContention.ForCurrentThread();
            _watchContention = _contention != null;
        }
        if (_contention?.IsContended(Stopwatch.GetTimestamp()) == true)
        {
            return false;
        }
        Volatile.Write(ref _polls, _polls + 1);
        return true;
    }

    // A poll's outcome: useful when it saw a request come within the window.
    private void Record(bool useful)
    {
        if (useful)
        {
            Volatile.Write(ref _hits, _hits + 1);
            _usefulShare += (ShareOne - _usefulShare) >> ShareStep;
        }
        else
        {
            _usefulShare -= _usefulShare >> ShareStep;
        }
    }

    /// <summary>Closes the private epoll instance (tests; the process's poller lives as long as the process).</summary>
    public void Dispose()
    {
        if (_epoll >= 0)
        {
            _ = Linux.Close(_epoll);
        }
        _contention?.Dispose();
    }

    private static TurnPoll? TryCreate()
    {
        // As EventThreadSlice reads its variable: unset or not a number means the default.
        long windowMicros = long.TryParse(Environment.GetEnvironmentVariable(WindowVariable), out long micros) ? micros : DefaultWindowMicros;
        if (windowMicros <= 0)
        {
            return null;
        }
        long windowTicks = windowMicros * Stopwatch.Frequency / 1_000_000;
        return EventLoop.Shared != null ? new TurnPoll(-1, windowTicks, watchContention: true) : Create(windowTicks, watchContention: true);
    }

    /// <summary>
    /// A poller of its own (the process has one, <see cref="Shared"/>; tests make theirs), or null off Linux. With
    /// <paramref name="watchContention"/> it does not poll while the polling thread waits for a CPU (<see cref="CpuContention"/>).
    /// </summary>
    internal static TurnPoll? Create(long windowTicks, bool watchContention = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            int epoll = Linux.EpollCreate1(Linux.EpollCloexec);
            return epoll < 0 ? null : new TurnPoll(epoll, windowTicks, watchContention);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
