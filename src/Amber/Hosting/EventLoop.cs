using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Amber.Hosting;

/// <summary>
/// Amber's own event loop for client sockets, on Linux: one thread, one epoll instance, as Redis's ae loop. Each turn
/// takes the sockets epoll reports ready, receives from each and runs its requests (the connection's code runs right
/// there, inline), then runs the work posted to the loop, among it the sending of the turn's replies
/// (<see cref="Server.ReplyBatching"/>). Before it sleeps after a batched turn, it may poll for a few microseconds
/// (<see cref="TurnPoll"/>).
/// <para>
/// Why not .NET's socket engine: measured at pipeline 1 (docs/benchmarks.md, session 10), Amber's own code took less
/// CPU per request than Redis's and the kernel the same, but .NET's socket path and the runtime under it took 0.78 µs
/// a request more than Redis's whole loop. Its receive tries the socket at once, which at pipeline 1 always fails
/// (2.07 recvfrom per request against Redis's 1.00 read), and every call pays the GC transition. Here a receive is
/// made only when epoll said there is input (edge-triggered), and recv and send, which never block, skip the GC
/// transition (<see cref="Linux"/>). Posting from the loop itself costs no system call (the doorbell of
/// <see cref="SocketDoorbell"/> cost two per batched turn).
/// </para>
/// <para>
/// <see cref="Variable"/>=dotnet keeps client sockets on .NET's engine (also the only choice off Linux).
/// </para>
/// </summary>
internal sealed unsafe class EventLoop : EventThreadQueue
{
    public const string Variable = "AMBER_EVENT_LOOP";
    private const int MaxEvents = 256;

    private static readonly Lazy<EventLoop?> s_shared = new(TryCreate);

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _work = new();
    private readonly Func<bool> _workPosted;
    // 1 while the loop sleeps in epoll_wait (or is about to): a post from another thread must wake it.
    private int _sleeping;
    private int _wakePending;
    private bool _pollBeforeSleep;

    private EventLoop(int epoll, int wake)
    {
        _epoll = epoll;
        _wake = wake;
        _workPosted = () => !_work.IsEmpty;
    }

    /// <summary>The process's loop, or null where client sockets stay on .NET's engine.</summary>
    public static new EventLoop? Shared => s_shared.Value;

    public override void Post(Action<object?> action, object? state)
    {
        _work.Enqueue((action, state));
        // The enqueue is a full fence, as the loop's store to _sleeping before it looks at the queue.
        if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            _ = Linux.WriteNow(_wake, (byte*)&one, sizeof(ulong));
        }
    }

    /// <summary>Called at the end of a turn whose replies went out together: the loop may poll before it sleeps.</summary>
    public void PollBeforeSleep() => _pollBeforeSleep = true;

    /// <summary>Watches descriptor <paramref name="fd"/> for <paramref name="owner"/> (edge-triggered input and output).</summary>
    public GCHandle Register(int fd, EventLoopSocket owner)
    {
        GCHandle handle = GCHandle.Alloc(owner);
        if (Linux.EpollCtl(_epoll, Linux.EpollCtlAdd, fd, Linux.EpollIn | Linux.EpollOut | Linux.EpollRdHup | Linux.EpollEt, (ulong)GCHandle.ToIntPtr(handle)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Free();
            throw new SocketException((int)SocketError.SocketError, $"epoll_ctl: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return handle;
    }

    /// <summary>
    /// Stops watching descriptor <paramref name="fd"/>, which must still be open (its number not yet reused). An event
    /// fetched before may still be dispatched in this turn: the owner's handle is freed by posted work, after it.
    /// </summary>
    public void Unregister(int fd) => _ = Linux.EpollCtl(_epoll, Linux.EpollCtlDel, fd, 0, 0);

    private static EventLoop? TryCreate()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) == "dotnet")
        {
            return null;
        }
        try
        {
            int epoll = Linux.EpollCreate1(Linux.EpollCloexec);
            if (epoll < 0)
            {
                return null;
            }
            int wake = Linux.EventFd(0, Linux.EfdCloexec | Linux.EfdNonBlock);
            if (wake < 0 || Linux.EpollCtl(epoll, Linux.EpollCtlAdd, wake, Linux.EpollIn, 0) != 0)
            {
                _ = Linux.Close(epoll);
                return null;
            }
            var loop = new EventLoop(epoll, wake);
            new Thread(loop.Run) { IsBackground = true, Name = "amber-events" }.Start();
            return loop;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private void Run()
    {
        MarkEventThread();
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Linux.EpollEventSize));
        while (true)
        {
            int ready;
            if (!_work.IsEmpty)
            {
                ready = Linux.EpollWaitNow(_epoll, events, MaxEvents);
            }
            else if (_pollBeforeSleep && TurnPoll.Shared is { } poll)
            {
                // Posted work (an AOF release from another thread) ends the poll as an event does.
                ready = poll.Poll(_epoll, events, MaxEvents, _workPosted);
            }
            else
            {
                ready = 0;
            }
            _pollBeforeSleep = false;
            if (ready <= 0 && _work.IsEmpty)
            {
                ready = Sleep(events);
            }
            DispatchAll(events, ready);
            RunPosted();
        }
    }

    private void DispatchAll(byte* events, int ready)
    {
        for (int i = 0; i < ready; i++)
        {
            byte* ev = events + (i * Linux.EpollEventSize);
            Dispatch(Unsafe.ReadUnaligned<uint>(ev), Unsafe.ReadUnaligned<ulong>(ev + Linux.EpollEventDataOffset));
        }
    }

    private int Sleep(byte* events)
    {
        Interlocked.Exchange(ref _sleeping, 1);
        int ready = _work.IsEmpty ? Linux.EpollWait(_epoll, events, MaxEvents, -1) : Linux.EpollWaitNow(_epoll, events, MaxEvents);
        Volatile.Write(ref _sleeping, 0);
        return ready;
    }

    private void Dispatch(uint events, ulong data)
    {
        if (data == 0)
        {
            ulong count;
            _ = Linux.ReadNow(_wake, (byte*)&count, sizeof(ulong));
            Volatile.Write(ref _wakePending, 0);
            return;
        }
        try
        {
            ((EventLoopSocket)GCHandle.FromIntPtr((nint)data).Target!).OnEvents(events);
        }
        catch (Exception e)
        {
            Report(e);
        }
    }

    private void RunPosted()
    {
        while (_work.TryDequeue(out (Action<object?> Action, object? State) item))
        {
            try
            {
                item.Action(item.State);
            }
            catch (Exception e)
            {
                Report(e);
            }
        }
    }

    // Posted work and connections catch what they expect; anything else is a bug, which must not stop every client.
    private static void Report(Exception e) => Console.Error.WriteLine($"Amber event loop: unexpected {e}");
}
