using System.Text;
using Amber.Hosting;
using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Hosting;

/// <summary>
/// amber-server serves clients on its own event loop on Linux (the rest of the suite runs on it, in-process) or, with
/// AMBER_EVENT_LOOP=dotnet and everywhere else, on .NET's socket engine: both paths, run as the real executable
/// (the in-process servers of the suite share the one loop the test host starts).
/// </summary>
public sealed class ClientSocketPathTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("dotnet")]
    public void RequestsPipelinesBlockingPopsAndBigRepliesAreServed(string loop)
    {
        // appendfsync always: each write's reply is released by the AOF flusher through the event thread's queue.
        using ServerProcess server = ServerProcess.Start(_dir.Path, new Dictionary<string, string> { [EventLoop.Variable] = loop },
            "--appendonly", "yes", "--appendfsync", "always");
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(loop == "", ThreadNames(server.Pid).Contains("amber-events"));
        }
        using var a = new RawClient(server.Port);
        using var b = new RawClient(server.Port);
        Assert.Equal("+OK\r\n", a.Call("SET", "k", "v"));
        Assert.Equal("$1\r\nv\r\n", b.Call("GET", "k"));

        var pipeline = new StringBuilder();
        for (int i = 0; i < 1000; i++)
        {
            pipeline.Append("*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
        }
        a.Send(pipeline.ToString());
        for (int i = 1; i <= 1000; i++)
        {
            Assert.Equal($":{i}\r\n", a.ReadReply());
        }

        a.SendCommand("BLPOP", "q", "0");
        Assert.True(SpinWait.SpinUntil(() => b.Call("INFO", "clients").Contains("\r\nblocked_clients:1\r\n"), 10_000));
        Assert.Equal(":1\r\n", b.Call("LPUSH", "q", "x"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\nx\r\n", a.ReadReply());

        // More than the socket buffers hold: the send waits for room while the client reads.
        string big = new('z', 16 * 1024 * 1024);
        Assert.Equal("+OK\r\n", a.Call("SET", "big", big));
        Assert.Equal($"${big.Length}\r\n{big}\r\n", b.Call("GET", "big"));
    }

    private static List<string> ThreadNames(int pid)
    {
        var names = new List<string>();
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).Trim());
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return names;
    }
}
