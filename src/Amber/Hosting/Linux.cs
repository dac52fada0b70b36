using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Amber.Hosting;

/// <summary>
/// The Linux system calls Amber's own socket loop makes (<see cref="EventLoop"/>, <see cref="TurnPoll"/>). Calls that
/// never block (a zero-timeout epoll_wait, recv and send with MSG_DONTWAIT) skip the GC transition: they are made
/// once or twice per request, and the transition was a measurable part of .NET's own socket path.
/// </summary>
internal static unsafe partial class Linux
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEt = 0x80000000;

    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int EfdCloexec = 0x80000;
    public const int EfdNonBlock = 0x800;

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EPipe = 32;
    public const int EConnReset = 104;

    /// <summary>
    /// Bytes per epoll_event: a 32-bit mask, then 64 bits of data; packed (12 bytes) on x86-64, aligned (16) elsewhere.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static int EpollEventDataOffset => EpollEventSize == 12 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1")]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>epoll_ctl with <paramref name="events"/> and <paramref name="data"/> laid out as this architecture's epoll_event.</summary>
    public static int EpollCtl(int epoll, int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + EpollEventDataOffset, data);
        return EpollCtl(epoll, op, fd, ev);
    }

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, byte* ev);

    /// <summary>May sleep (a timeout other than zero): keeps the GC transition.</summary>
    [LibraryImport("libc", EntryPoint = "epoll_wait")]
    public static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeout);

    /// <summary>A zero timeout: returns at once.</summary>
    [LibraryImport("libc", EntryPoint = "epoll_wait")]
    [SuppressGCTransition]
    public static partial int EpollWaitNow(int epoll, byte* events, int maxEvents, int timeout = 0);

    public const int RlimitNoFile = 7;

    /// <summary>struct rlimit of 64-bit Linux: the soft limit, then the hard one.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetResourceLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetResourceLimit(int resource, in ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "eventfd")]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "read")]
    [SuppressGCTransition]
    public static partial nint ReadNow(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write")]
    [SuppressGCTransition]
    public static partial nint WriteNow(int fd, byte* buffer, nint count);

    /// <summary>With <see cref="MsgDontWait"/> only: never blocks.</summary>
    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    [SuppressGCTransition]
    public static partial nint RecvNow(int fd, byte* buffer, nint length, int flags);

    /// <summary>With <see cref="MsgDontWait"/> only: never blocks.</summary>
    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    [SuppressGCTransition]
    public static partial nint SendNow(int fd, byte* buffer, nint length, int flags);
}
