using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Aof;

/// <summary>Real redis-server 7.0 and Amber start on each other's multi-part AOF with identical data (DEBUG DIGEST).</summary>
public class AofInteropTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableTheory]
    [InlineData("no")]
    [InlineData("yes")]
    public async Task AmberLoadsTheAofRedisWroteWithIdenticalData(string preamble)
    {
        string digest;
        using (var redis = RedisWithAof.Start(_dir.Path, $"--aof-use-rdb-preamble {preamble} --aof-timestamp-enabled yes"))
        {
            using RawClient c = redis.Connect();
            AofStartupTests.SeedDataset(c);
            c.Call("SET", "counter", "10");
            c.Call("INCRBYFLOAT", "counter", "1.5");
            c.Call("MULTI");
            c.Call("LPUSH", "l", "z");
            c.Call("HDEL", "h", "f1");
            c.Call("EXEC");
            c.Call("SETEX", "tmp", "1000", "v");
            c.Call("BGREWRITEAOF");
            redis.WaitForRewrite(c);
            c.Call("SREM", "ss", "x");
            c.Call("ZINCRBY", "z", "2", "a");
            digest = c.Call("DEBUG", "DIGEST");
            redis.Shutdown(c);
        }
        Assert.Contains("seq 2 type b", File.ReadAllText(_dir.File("appendonly.aof.manifest")));
        await using AofServer amber = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        Assert.Equal(digest, amber.Raw().Call("DEBUG", "DIGEST"));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RedisLoadsTheAofAmberWroteWithIdenticalData(bool preamble)
    {
        string digest;
        await using (AofServer amber = AofServer.Start(_dir.Path, c =>
        {
            c.AppendOnly = false;
            c.EnableDebugCommand = "yes";
            c.AofTimestampEnabled = true;
            c.AofUseRdbPreamble = preamble;
        }))
        {
            RawClient c = amber.Raw();
            AofStartupTests.SeedDataset(c);
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "yes"));
            AofRewriteTests.WaitForRewriteIdle(c);
            digest = c.Call("DEBUG", "DIGEST");
        }
        (int code, string output) = Interop.Run(Interop.RequireTool("redis-check-aof"), _dir.File("appendonly.aof.manifest"));
        Assert.True(code == 0, output);
        Assert.Contains("All AOF files and manifest are valid", output);
        using var redis = RedisWithAof.Start(_dir.Path, "");
        using RawClient rc = redis.Connect();
        Assert.Equal(digest, rc.Call("DEBUG", "DIGEST"));
    }

    [SkippableTheory]
    [InlineData("no")]
    [InlineData("yes")]
    public async Task LayoutMatchesRedisOnFirstStart(string preamble)
    {
        string redisDir = Path.Combine(_dir.Path, "redis");
        string amberDir = Path.Combine(_dir.Path, "amber");
        Directory.CreateDirectory(redisDir);
        Directory.CreateDirectory(amberDir);
        using (var redis = RedisWithAof.Start(redisDir, $"--aof-use-rdb-preamble {preamble}"))
        {
            using RawClient c = redis.Connect();
            redis.Shutdown(c);
        }
        await using (AofServer amber = AofServer.Start(amberDir, c => c.AofUseRdbPreamble = preamble == "yes"))
        {
        }
        static string[] List(string d) => Directory.GetFiles(Path.Combine(d, "appendonlydir")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(List(redisDir), List(amberDir));
        Assert.Equal(File.ReadAllText(Path.Combine(redisDir, "appendonlydir", "appendonly.aof.manifest")),
            File.ReadAllText(Path.Combine(amberDir, "appendonlydir", "appendonly.aof.manifest")));
    }

    /// <summary>Debian's redis-server with appendonly yes in a directory, on a free loopback port.</summary>
    internal sealed class RedisWithAof : IDisposable
    {
        private readonly Process _process;

        private RedisWithAof(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        /// <summary>Starts redis-server; waits until it answers PING, or with <paramref name="untilListening"/> only until it accepts connections (it may still be loading).</summary>
        public static RedisWithAof Start(string dir, string extra, bool untilListening = false)
        {
            string tool = Interop.RequireTool("redis-server");
            int port;
            using (var l = new TcpListener(IPAddress.Loopback, 0))
            {
                l.Start();
                port = ((IPEndPoint)l.LocalEndpoint).Port;
            }
            var psi = new ProcessStartInfo(tool,
                $"--port {port} --bind 127.0.0.1 --dir {dir} --save \"\" --appendonly yes --enable-debug-command yes --loglevel warning {extra}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var p = Process.Start(psi)!;
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var r = new RedisWithAof(p, port);
            long deadline = Environment.TickCount64 + 10_000;
            while (true)
            {
                try
                {
                    using var probe = new RawClient(port);
                    if (untilListening || probe.Call("PING") == "+PONG\r\n")
                    {
                        return r;
                    }
                    Assert.True(Environment.TickCount64 < deadline, "redis-server did not answer PING");
                    Thread.Sleep(20);
                }
                catch (SocketException) when (Environment.TickCount64 < deadline && !p.HasExited)
                {
                    Thread.Sleep(20);
                }
            }
        }

        public RawClient Connect() => new(Port);

        public void WaitForRewrite(RawClient c)
        {
            long deadline = Environment.TickCount64 + 10_000;
            while (true)
            {
                string info = c.Call("INFO", "persistence");
                if (info.Contains("aof_rewrite_in_progress:0") && info.Contains("aof_rewrite_scheduled:0") && info.Contains("aof_rewrites:1"))
                {
                    return;
                }
                Assert.True(Environment.TickCount64 < deadline, "BGREWRITEAOF did not finish");
                Thread.Sleep(10);
            }
        }

        public void Shutdown(RawClient c)
        {
            c.SendCommand("SHUTDOWN");
            Assert.True(_process.WaitForExit(10_000));
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }
    }
}
