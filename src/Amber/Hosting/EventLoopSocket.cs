using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Amber.Hosting;

/// <summary>
/// A client socket on Amber's own <see cref="EventLoop"/>. epoll reports it edge-triggered: an event means input (or
/// room to send) came since the last; the loop notes it, and when a receive is waiting, receives there and then runs the
/// connection's continuation inline. A receive called while the last event is untaken tries the socket at once;
/// otherwise it waits for the next event without a system call. recv and send are non-blocking (MSG_DONTWAIT) and may
/// run on any thread (a push flushed from the pool, a connection resumed after CLIENT PAUSE).
/// <para>
/// A waiter is handed over with an exchange on each side (the flag first, then the waiter, in opposite orders), so an
/// event that lands while a receive arms its wait is never lost: one side or the other takes the waiter.
/// </para>
/// </summary>
internal sealed class EventLoopSocket : ClientTransport, IValueTaskSource<int>
{
    private readonly Socket _socket;
    private readonly EventLoop _loop;
    private readonly GCHandle _handle;
    private readonly WritableWaiter _writableWaiter = new();
    private ManualResetValueTaskSourceCore<int> _receive;
    private Memory<byte> _receiveBuffer;
    // Input (or its end) came that no receive has taken yet. Starts set: data may arrive before the registration.
    private int _readable = 1;
    private int _receiveWaiting;
    // The peer shut its side down (or the socket failed): no event will come again, so every receive tries the
    // socket until it reads the end.
    private int _hungUp;
    private int _writable = 1;
    private int _closed;

    public EventLoopSocket(Socket socket, EventLoop loop)
    {
        _socket = socket;
        _loop = loop;
        int fd = AcquireDescriptor();
        try
        {
            _handle = loop.Register(fd, this);
        }
        finally
        {
            ReleaseDescriptor();
        }
    }

    public override void Start(Func<Task> run) => _loop.Post(static r => _ = ((Func<Task>)r!)(), run);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        while (Volatile.Read(ref _closed) == 0)
        {
            if (Interlocked.Exchange(ref _readable, 0) != 0)
            {
                int n = TryReceive(buffer.Span);
                if (n >= 0)
                {
                    return new ValueTask<int>(n);
                }
            }
            _receive.Reset();
            _receiveBuffer = buffer;
            Interlocked.Exchange(ref _receiveWaiting, 1);
            if ((Volatile.Read(ref _readable) == 0 && Volatile.Read(ref _closed) == 0) || Interlocked.Exchange(ref _receiveWaiting, 0) == 0)
            {
                return new ValueTask<int>(this, _receive.Version);
            }
            // An event (or the close) came while the wait was armed, and the waiter is still ours: look again.
            _receiveBuffer = default;
        }
        return new ValueTask<int>(0);
    }

    public override ValueTask<int> SendAsync(ReadOnlyMemory<byte> data)
    {
        int sent = TrySend(data.Span);
        return sent >= 0 ? new ValueTask<int>(sent) : SendWhenWritableAsync(data);
    }

    private async ValueTask<int> SendWhenWritableAsync(ReadOnlyMemory<byte> data)
    {
        while (true)
        {
            ValueTask wait = _writableWaiter.Arm();
            if ((Interlocked.Exchange(ref _writable, 0) == 0 && Volatile.Read(ref _closed) == 0) || !_writableWaiter.TryTakeBack())
            {
                await wait.ConfigureAwait(false);
            }
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
            int sent = TrySend(data.Span);
            if (sent >= 0)
            {
                return sent;
            }
        }
    }

    public override void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        int fd = AcquireDescriptor();
        try
        {
            _loop.Unregister(fd);
        }
        finally
        {
            ReleaseDescriptor();
        }
        ShutdownAndDispose(_socket);
        _loop.Post(static s => ((EventLoopSocket)s!).OnClosed(), this);
    }

    /// <summary>On the loop: what epoll reported for this socket.</summary>
    internal void OnEvents(uint events)
    {
        if ((events & (Linux.EpollOut | Linux.EpollErr | Linux.EpollHup)) != 0)
        {
            Volatile.Write(ref _writable, 1);
            _writableWaiter.TryComplete();
        }
        if ((events & (Linux.EpollRdHup | Linux.EpollErr | Linux.EpollHup)) != 0)
        {
            Volatile.Write(ref _hungUp, 1);
        }
        if ((events & (Linux.EpollIn | Linux.EpollRdHup | Linux.EpollErr | Linux.EpollHup)) != 0)
        {
            Volatile.Write(ref _readable, 1);
            if (Interlocked.Exchange(ref _receiveWaiting, 0) != 0)
            {
                CompleteReceive();
            }
        }
    }

    private void CompleteReceive()
    {
        Interlocked.Exchange(ref _readable, 0);
        int n = TryReceive(_receiveBuffer.Span);
        if (n < 0)
        {
            // The input was taken by an earlier receive: wait for the next event (only this thread sets _readable now).
            Volatile.Write(ref _receiveWaiting, 1);
            return;
        }
        _receiveBuffer = default;
        // Runs the connection's continuation here, on the loop.
        _receive.SetResult(n);
    }

    // On the loop, at the end of the turn in which the socket closed: after any event fetched before it was unwatched.
    private void OnClosed()
    {
        if (Interlocked.Exchange(ref _receiveWaiting, 0) != 0)
        {
            _receiveBuffer = default;
            _receive.SetResult(0);
        }
        _writableWaiter.TryComplete();
        _handle.Free();
    }

    // Bytes received (0: the client is gone), or -1 when there is nothing to receive now.
    private unsafe int TryReceive(Span<byte> buffer)
    {
        int fd;
        try
        {
            fd = AcquireDescriptor();
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        try
        {
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    nint n = Linux.RecvNow(fd, p, buffer.Length, Linux.MsgDontWait);
                    if (n >= 0)
                    {
                        if (n == buffer.Length || Volatile.Read(ref _hungUp) != 0)
                        {
                            // More may be waiting (or the end), and being edge-triggered, no event would say so.
                            Volatile.Write(ref _readable, 1);
                        }
                        return (int)n;
                    }
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != Linux.EIntr)
                    {
                        // A reset or any other error ends the connection as its end does.
                        return errno == Linux.EAgain ? -1 : 0;
                    }
                }
            }
        }
        finally
        {
            ReleaseDescriptor();
        }
    }

    // Bytes sent, or -1 when the socket's send buffer is full; throws when the client is gone.
    private unsafe int TrySend(ReadOnlySpan<byte> data)
    {
        int fd = AcquireDescriptor();
        try
        {
            fixed (byte* p = data)
            {
                while (true)
                {
                    nint n = Linux.SendNow(fd, p, data.Length, Linux.MsgDontWait | Linux.MsgNoSignal);
                    if (n >= 0)
                    {
                        return (int)n;
                    }
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Linux.EAgain)
                    {
                        return -1;
                    }
                    if (errno != Linux.EIntr)
                    {
                        throw new SocketException((int)(errno is Linux.EPipe or Linux.EConnReset ? SocketError.ConnectionReset : SocketError.SocketError));
                    }
                }
            }
        }
        finally
        {
            ReleaseDescriptor();
        }
    }

    // The socket's descriptor, held open (its number not reused by a Close meanwhile) until ReleaseDescriptor; throws
    // ObjectDisposedException once the socket is closed.
    private int AcquireDescriptor()
    {
        bool added = false;
        _socket.SafeHandle.DangerousAddRef(ref added);
        return (int)_socket.SafeHandle.DangerousGetHandle();
    }

    private void ReleaseDescriptor() => _socket.SafeHandle.DangerousRelease();

    int IValueTaskSource<int>.GetResult(short token) => _receive.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _receive.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _receive.OnCompleted(continuation, state, token, flags);

    /// <summary>A send's wait for room in the socket's buffer, completed by the loop.</summary>
    private sealed class WritableWaiter : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;
        private int _waiting;

        public ValueTask Arm()
        {
            _core.Reset();
            Interlocked.Exchange(ref _waiting, 1);
            return new ValueTask(this, _core.Version);
        }

        public bool TryTakeBack() => Interlocked.Exchange(ref _waiting, 0) != 0;

        public void TryComplete()
        {
            if (Interlocked.Exchange(ref _waiting, 0) != 0)
            {
                _core.SetResult(true);
            }
        }

        public void GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
