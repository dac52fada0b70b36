using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SocketCost;

/// <summary>
/// What .NET's socket engine costs per request-reply, against a raw epoll loop (bench/socket-cost/run.sh). Both
/// servers answer every '*' they receive with "+OK\r\n" and do nothing else, so what is left is the network path:
///   net: Socket.ReceiveAsync / SendAsync, completions inline on .NET's one event thread (as amber-server runs them);
///   raw: epoll_wait, then recv and send straight from libc, on one thread.
/// Usage: socket-cost net|raw PORT
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2 || (args[0] != "net" && args[0] != "raw") || !int.TryParse(args[1], out int port))
        {
            Console.Error.WriteLine("usage: socket-cost net|raw PORT");
            return 2;
        }
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(512);
        if (args[0] == "net")
        {
            _ = DotNetServer.AcceptAsync(listener);
            Thread.Sleep(Timeout.Infinite);
        }
        else
        {
            RawServer.Run(listener);
        }
        return 0;
    }

    /// <summary>One "+OK\r\n" per request (a '*' starts each) in <paramref name="request"/>; returns the reply length.</summary>
    public static int Replies(ReadOnlySpan<byte> request, Span<byte> reply)
    {
        int length = 0;
        foreach (byte b in request)
        {
            if (b == (byte)'*')
            {
                "+OK\r\n"u8.CopyTo(reply[length..]);
                length += 5;
            }
        }
        return length;
    }
}

internal static class DotNetServer
{
    public static async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client = await listener.AcceptAsync();
            client.NoDelay = true;
            _ = ServeAsync(client);
        }
    }

    private static async Task ServeAsync(Socket client)
    {
        byte[] request = new byte[16384];
        byte[] reply = new byte[5 * 16384];
        try
        {
            int n;
            while ((n = await client.ReceiveAsync(request.AsMemory(), SocketFlags.None)) > 0)
            {
                int length = Program.Replies(request.AsSpan(0, n), reply);
                await client.SendAsync(reply.AsMemory(0, length), SocketFlags.None);
            }
        }
        catch (SocketException)
        {
        }
        client.Dispose();
    }
}

internal static unsafe partial class RawServer
{
    private const int EpollIn = 1;
    private const int EpollCtlAdd = 1;
    private const int SockNonBlock = 0x800;
    private const int IpProtoTcp = 6;
    private const int TcpNoDelay = 1;

    public static void Run(Socket listener)
    {
        listener.Blocking = false;
        int listenFd = (int)listener.Handle;
        int epoll = EpollCreate1(0);
        Watch(epoll, listenFd);
        byte* events = stackalloc byte[16 * 128];
        byte[] request = new byte[16384];
        byte[] reply = new byte[5 * 16384];
        while (true)
        {
            int ready = EpollWait(epoll, events, 128, -1);
            for (int i = 0; i < ready; i++)
            {
                // epoll_event is packed on x86-64: a 32-bit mask, then the data (here the descriptor).
                int fd = *(int*)(events + (i * 12) + 4);
                if (fd == listenFd)
                {
                    int client;
                    while ((client = Accept4(listenFd, null, null, SockNonBlock)) >= 0)
                    {
                        int one = 1;
                        _ = SetSockOpt(client, IpProtoTcp, TcpNoDelay, &one, sizeof(int));
                        Watch(epoll, client);
                    }
                    continue;
                }
                fixed (byte* input = request)
                fixed (byte* output = reply)
                {
                    nint n = Recv(fd, input, request.Length, 0);
                    if (n <= 0)
                    {
                        if (n == 0)
                        {
                            _ = Close(fd);
                        }
                        continue;
                    }
                    int length = Program.Replies(request.AsSpan(0, (int)n), reply);
                    _ = Send(fd, output, length, 0);
                }
            }
        }
    }

    private static void Watch(int epoll, int fd)
    {
        // Packed on x86-64: the mask in bytes 0-3, the data (the descriptor) from byte 4.
        ulong* ev = stackalloc ulong[2];
        ev[0] = EpollIn | ((ulong)(uint)fd << 32);
        ev[1] = 0;
        _ = EpollCtl(epoll, EpollCtlAdd, fd, ev);
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1")]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl")]
    private static partial int EpollCtl(int epoll, int op, int fd, ulong* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait")]
    private static partial int EpollWait(int epoll, byte* events, int max, int timeout);

    [LibraryImport("libc", EntryPoint = "accept4")]
    private static partial int Accept4(int fd, void* address, void* length, int flags);

    [LibraryImport("libc", EntryPoint = "setsockopt")]
    private static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    // Non-blocking sockets: both return at once, so they may skip the GC transition.
    [LibraryImport("libc", EntryPoint = "recv")]
    [SuppressGCTransition]
    private static partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send")]
    [SuppressGCTransition]
    private static partial nint Send(int fd, byte* buffer, nint length, int flags);
}
