using Amber.Config;
using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Server;

/// <summary>
/// Commands run on the socket event thread (Hosting/SocketScheduling; the test host runs the same way): whatever a
/// command waits for must not hold that thread, or every other client stalls with it.
/// </summary>
public sealed class EventThreadTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AnAlwaysFsyncStalledOnTheDiskHoldsOnlyTheWritersReply()
    {
        var fs = new FaultInjectingFileSystem { CountOnly = ".incr.aof" };
        await using AofServer s = AofServer.Start(_dir.Path, c => c.AppendFsync = AppendFsyncMode.Always, fs);
        using var gate = new ManualResetEventSlim(false);
        fs.SyncGate = gate;
        try
        {
            RawClient writer = s.Raw();
            RawClient reader = s.Raw();
            Assert.Equal("+PONG\r\n", writer.Call("PING"));
            Assert.Equal("+PONG\r\n", reader.Call("PING"));
            writer.SendCommand("SET", "k", "v");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (fs.Writes == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the SET was not written");
                await Task.Delay(5);
            }

            // The flusher is stuck in fsync and the writer's reply waits for it; everyone else is served meanwhile,
            // including a connection accepted now.
            Assert.Equal("$1\r\nv\r\n", reader.Call("GET", "k"));
            RawClient late = s.Raw();
            Assert.Equal("+PONG\r\n", late.Call("PING"));
            Assert.False(writer.Poll(TimeSpan.FromMilliseconds(10)), "the SET was acknowledged before its fsync");

            gate.Set();
            Assert.Equal("+OK\r\n", writer.ReadReply());
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task AClientWhoseRequestsAreAlwaysThereLetsTheOthersGoFirst()
    {
        await using TestServer server = TestServer.Start();
        using var flood = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        flood.Connect(System.Net.IPAddress.Loopback, server.Port);
        byte[] chunk = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n$4\r\nPING\r\n", 4096)));
        using var stop = new CancellationTokenSource();
        long received = 0;
        // A pipelining client that never runs dry: its requests are always there when the server looks.
        Task writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                flood.Send(chunk);
            }
        });
        Task reader = Task.Run(() =>
        {
            byte[] sink = new byte[256 * 1024];
            int n;
            while (!stop.IsCancellationRequested && (n = flood.Receive(sink)) > 0)
            {
                Interlocked.Add(ref received, n);
            }
        });
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (Interlocked.Read(ref received) < 8 * 1024 * 1024)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the flood was not served");
                await Task.Delay(5);
            }

            // Served while the flood goes on (a starved client would hit RawClient's 10 s receive timeout).
            using RawClient other = server.Raw();
            Assert.Equal("+PONG\r\n", other.Call("PING"));
            Assert.False(writer.IsCompleted || reader.IsCompleted);
        }
        finally
        {
            stop.Cancel();
            flood.Close();
            await Task.WhenAll(writer, reader).ContinueWith(_ => { });
        }
    }
}
