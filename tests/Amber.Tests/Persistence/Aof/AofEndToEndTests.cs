using Amber.Config;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Aof;

/// <summary>Commands through real sockets, into the AOF through the propagation stream, and back after a restart.</summary>
public class AofEndToEndTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static void WriteMixedWorkload(RawClient c)
    {
        AofStartupTests.SeedDataset(c);
        c.Call("SET", "counter", "10");
        c.Call("INCRBYFLOAT", "counter", "1.5");
        c.Call("SETEX", "tmp", "1000", "v");
        c.Call("MULTI");
        c.Call("LPUSH", "l", "z");
        c.Call("HDEL", "h", "f1");
        c.Call("SELECT", "7");
        c.Call("SET", "in7", "x");
        c.Call("EXEC");
        c.Call("SELECT", "0");
        c.Call("SPOP", "ss");
        c.Call("ZINCRBY", "z", "2", "a");
        c.Call("DEL", "biglist");
    }

    [Theory]
    [InlineData("always")]
    [InlineData("everysec")]
    [InlineData("no")]
    public async Task RestartOnTheSameDirectoryRestoresTheDataset(string policy)
    {
        AppendFsyncMode mode = policy switch { "always" => AppendFsyncMode.Always, "no" => AppendFsyncMode.No, _ => AppendFsyncMode.EverySec };
        string digest;
        await using (AofServer s = AofServer.Start(_dir.Path, c => { c.AppendFsync = mode; c.EnableDebugCommand = "yes"; }))
        {
            RawClient c = s.Raw();
            WriteMixedWorkload(c);
            digest = c.Call("DEBUG", "DIGEST");
            Assert.DoesNotContain("0000000000", digest);
        }
        await using (AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes"))
        {
            Assert.Equal(digest, s.Raw().Call("DEBUG", "DIGEST"));
        }
    }

    [SkippableFact]
    public async Task RedisLoadsWhatAmberAppendedWithIdenticalData()
    {
        string digest;
        await using (AofServer s = AofServer.Start(_dir.Path, c => { c.EnableDebugCommand = "yes"; c.AofTimestampEnabled = true; }))
        {
            RawClient c = s.Raw();
            WriteMixedWorkload(c);
            digest = c.Call("DEBUG", "DIGEST");
        }
        (int code, string output) = Interop.Run(Interop.RequireTool("redis-check-aof"), _dir.File("appendonly.aof.manifest"));
        Assert.True(code == 0, output);
        using var redis = RealRedisOnDir.Start(_dir.Path);
        using RawClient rc = redis.Connect();
        Assert.Equal(digest, rc.Call("DEBUG", "DIGEST"));
    }

    [Fact]
    public async Task GroupCommitUnderAlwaysRepliesOnlyAfterTheFsyncAndSharesIt()
    {
        var fs = new FaultInjectingFileSystem { CountOnly = ".incr.aof" };
        await using AofServer s = AofServer.Start(_dir.Path, c => c.AppendFsync = AppendFsyncMode.Always, fs);
        using var gate = new ManualResetEventSlim(false);
        fs.SyncGate = gate;
        try
        {
            const int Clients = 24;
            var clients = new RawClient[Clients];
            for (int i = 0; i < Clients; i++)
            {
                clients[i] = s.Raw();
                clients[i].Call("PING");
            }
            for (int i = 0; i < Clients; i++)
            {
                clients[i].SendCommand("SET", "k" + i, "v" + i);
            }
            // Every SET has run (it is in memory) but the disk is stalled in fsync: no client may have its OK yet.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (s.Server.Aof.Writer!.AppendedLsn == 0 || fs.Writes == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
                await Task.Delay(5);
            }
            await Task.Delay(100);
            foreach (RawClient c in clients)
            {
                Assert.False(c.Poll(TimeSpan.FromMilliseconds(10)), "a reply arrived before its fsync");
            }
            long syncsBefore = fs.Syncs;
            gate.Set();
            foreach (RawClient c in clients)
            {
                Assert.Equal("+OK\r\n", c.ReadReply());
            }
            // One stalled fsync, then at most a few more: far fewer fsyncs than acknowledged commands.
            Assert.InRange(fs.Syncs - syncsBefore, 1, Clients / 2);
            // Reads need no disk: a GET is answered while nothing is being written.
            Assert.Equal("$2\r\nv0\r\n", clients[0].Call("GET", "k0"));
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task UnderAlwaysAWriteThatCannotReachTheDiskIsNeverAcknowledged()
    {
        var fs = new FaultInjectingFileSystem();
        await using AofServer s = AofServer.Start(_dir.Path, c => c.AppendFsync = AppendFsyncMode.Always, fs);
        RawClient writer = s.Raw();
        RawClient other = s.Raw();
        Assert.Equal("+OK\r\n", writer.Call("SET", "before", "1"));
        bool full = true;
        fs.WriteFault = (path, _) => full && path.EndsWith(".incr.aof", StringComparison.Ordinal) ? (0, FaultInjectingFileSystem.NoSpace()) : null;
        writer.SendCommand("SET", "lost", "1");
        Assert.True(writer.WaitForClose(TimeSpan.FromSeconds(10)), "the client was acknowledged or left waiting");
        // The server keeps serving: reads work, writes are refused until the disk recovers.
        Assert.Equal("-MISCONF Errors writing to the AOF file: No space left on device\r\n", other.Call("SET", "x", "1"));
        Assert.Equal("$1\r\n1\r\n", other.Call("GET", "before"));
        full = false;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (other.Call("SET", "x", "1") != "+OK\r\n")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "writes were not accepted again");
            await Task.Delay(20);
        }
        Assert.Contains("AOF write error looks solved", s.Log);
    }

    [Fact]
    public async Task EverysecWriteErrorsTurnIntoMisconfForLaterWrites()
    {
        var fs = new FaultInjectingFileSystem();
        await using AofServer s = AofServer.Start(_dir.Path, null, fs);
        RawClient c = s.Raw();
        fs.WriteFault = (path, _) => path.EndsWith(".incr.aof", StringComparison.Ordinal) ? (0, FaultInjectingFileSystem.NoSpace()) : null;
        Assert.Equal("+OK\r\n", c.Call("SET", "a", "1"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!c.Call("INFO", "persistence").Contains("aof_last_write_status:err"))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
            await Task.Delay(10);
        }
        Assert.StartsWith("-MISCONF Errors writing to the AOF file", c.Call("SET", "b", "1"));
        Assert.Contains("aof_buffer_length:", c.Call("INFO", "persistence"));
    }

    /// <summary>Debian's redis-server started with appendonly yes on a directory (it loads the AOF found there).</summary>
    private sealed class RealRedisOnDir : IDisposable
    {
        private readonly System.Diagnostics.Process _process;

        private RealRedisOnDir(System.Diagnostics.Process p, int port)
        {
            _process = p;
            Port = port;
        }

        public int Port { get; }

        public static RealRedisOnDir Start(string dir)
        {
            string tool = Interop.RequireTool("redis-server");
            int port;
            using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
            {
                l.Start();
                port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
            }
            var psi = new System.Diagnostics.ProcessStartInfo(tool,
                $"--port {port} --bind 127.0.0.1 --dir {dir} --save \"\" --appendonly yes --enable-debug-command yes --loglevel warning")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var p = System.Diagnostics.Process.Start(psi)!;
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            long deadline = Environment.TickCount64 + 10_000;
            while (true)
            {
                try
                {
                    using var probe = new RawClient(port);
                    if (probe.Call("PING") == "+PONG\r\n")
                    {
                        return new RealRedisOnDir(p, port);
                    }
                }
                catch (System.Net.Sockets.SocketException) when (Environment.TickCount64 < deadline && !p.HasExited)
                {
                    Thread.Sleep(20);
                }
            }
        }

        public RawClient Connect() => new(Port);

        public void Dispose()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }
    }
}
