using System.Net.Sockets;

namespace Amber.Hosting;

/// <summary>
/// A client connection's socket as <see cref="Server.ClientConnection"/> uses it: Amber's own event loop
/// (<see cref="EventLoopSocket"/>) where it runs, else .NET's socket engine (<see cref="DotNetSocketTransport"/>).
/// One receive at a time, and one send at a time (the connection's send lock); the two may overlap.
/// </summary>
internal abstract class ClientTransport
{
    /// <summary>Bytes received into <paramref name="buffer"/>; 0 when the client is gone.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Bytes of <paramref name="data"/> sent (at least one); throws when the client is gone.</summary>
    public abstract ValueTask<int> SendAsync(ReadOnlyMemory<byte> data);

    /// <summary>Shuts the socket down and closes it; a receive or send waiting then ends. Idempotent.</summary>
    public abstract void Close();

    /// <summary>Starts the connection's loop where it should run (on the event thread, when there is one of Amber's).</summary>
    public abstract void Start(Func<Task> run);

    protected static void ShutdownAndDispose(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        socket.Dispose();
    }
}
