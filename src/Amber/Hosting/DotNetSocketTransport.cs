using System.Net.Sockets;

namespace Amber.Hosting;

/// <summary>A client socket on .NET's socket engine: completions on its event thread (<see cref="SocketScheduling"/>).</summary>
internal sealed class DotNetSocketTransport(Socket socket) : ClientTransport
{
    private int _closed;

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => socket.ReceiveAsync(buffer, SocketFlags.None);

    public override ValueTask<int> SendAsync(ReadOnlyMemory<byte> data) => socket.SendAsync(data, SocketFlags.None);

    public override void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            ShutdownAndDispose(socket);
        }
    }

    public override void Start(Func<Task> run)
    {
        // Its first receive that waits brings it to the event thread.
        TurnPoll.Shared?.Watch(socket);
        _ = Task.Run(run);
    }
}
