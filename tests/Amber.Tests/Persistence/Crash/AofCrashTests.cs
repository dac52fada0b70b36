using System.Globalization;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Crash;

/// <summary>
/// The real amber-server killed with SIGKILL at random (seeded) moments under concurrent writers, then restarted on the
/// same directory: no acknowledged write may be lost (appendfsync always), or only the last ~2 s (everysec); a torn
/// tail is truncated or refused as aof-load-truncated says. AMBER_CRASH_ITERATIONS sets the kills per scenario.
/// </summary>
[Collection("crash")]
public sealed class AofCrashTests : IDisposable
{
    private const int Writers = 4;
    private readonly string _dir = Directory.CreateTempSubdirectory("amber-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("AMBER_CRASH_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 3;

    [Fact]
    public void AppendfsyncAlwaysLosesNoAcknowledgedWrite()
    {
        var random = new Random(20261125);
        var workload = new CrashWorkload(Writers);
        for (int round = 0; round < Iterations; round++)
        {
            KillDuringWrites(workload, round, random.Next(200, 1200), "always");
            using ServerProcess restarted = ServerProcess.Start(_dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "");
            workload.Verify(restarted.Port, long.MaxValue);
            restarted.KillHard();
        }
        Assert.True(workload.Acknowledged > 0, "no write was acknowledged before the kills");
    }

    [Fact]
    public void AppendfsyncAlwaysLosesNothingWhenKilledDuringRewrites()
    {
        // BGREWRITEAOF loops while the writers run, so kills land inside rewrites and around the manifest swap.
        var random = new Random(20261128);
        var workload = new CrashWorkload(Writers);
        for (int round = 0; round < Iterations; round++)
        {
            using (ServerProcess server = ServerProcess.Start(_dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""))
            {
                Thread[] writers = workload.Run(server.Port, round);
                var rewriter = new Thread(() => RewriteLoop(server.Port)) { IsBackground = true };
                rewriter.Start();
                Thread.Sleep(random.Next(200, 1200)); // the crash moment itself is what is being randomised
                server.KillHard();
                workload.Join(writers);
                Assert.True(rewriter.Join(TimeSpan.FromSeconds(30)), "the rewrite loop did not stop after the kill");
                Assert.Null(_rewriteLoopFailure);
            }
            using ServerProcess restarted = ServerProcess.Start(_dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "");
            workload.Verify(restarted.Port, long.MaxValue);
            restarted.KillHard();
        }
        Assert.True(workload.Acknowledged > 0, "no write was acknowledged before the kills");
        Assert.True(_rewritesStarted > 0, "no rewrite started before the kills");
    }

    private volatile Exception? _rewriteLoopFailure;
    private int _rewritesStarted;

    private void RewriteLoop(int port)
    {
        try
        {
            using var c = new RawClient(port);
            while (true)
            {
                if (c.Call("BGREWRITEAOF").StartsWith('+'))
                {
                    Interlocked.Increment(ref _rewritesStarted);
                }
                string info;
                do
                {
                    info = c.Call("INFO", "persistence");
                }
                while (info.Contains("aof_rewrite_in_progress:1") || info.Contains("aof_rewrite_scheduled:1"));
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or EndOfStreamException or IOException)
        {
            // the kill
        }
        catch (Exception e)
        {
            _rewriteLoopFailure = e;
        }
    }

    [Fact]
    public void AppendfsyncEverysecLosesAtMostTheLastTwoSeconds()
    {
        var random = new Random(20261126);
        var workload = new CrashWorkload(Writers);
        for (int round = 0; round < Iterations; round++)
        {
            long killTicks = KillDuringWrites(workload, round, random.Next(2300, 3300), "everysec");
            using ServerProcess restarted = ServerProcess.Start(_dir, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "");
            workload.Verify(restarted.Port, killTicks - 2000);
            restarted.KillHard();
        }
        Assert.True(workload.Acknowledged > 0, "no write was acknowledged before the kills");
    }

    [Fact]
    public void TornTailIsTruncatedOrRefusedAsConfigured()
    {
        var (workload, incr, cleanLength) = CrashThenKillIdle();
        string name = Path.GetFileName(incr);

        // A power loss mid-write: the start of a command reached the disk, the rest did not.
        using (var f = new FileStream(incr, FileMode.Append))
        {
            f.Write("*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$100\r\nonly part of"u8);
        }

        var (exitCode, output) = ServerProcess.StartExpectingExit(_dir, "--appendonly", "yes", "--aof-load-truncated", "no", "--save", "");
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Unexpected end of file reading the append only file {name} (offset {cleanLength})", output);
        Assert.True(new FileInfo(incr).Length > cleanLength, "a refused load must not touch the file");

        using (ServerProcess recovered = ServerProcess.Start(_dir, "--appendonly", "yes", "--aof-load-truncated", "yes", "--save", ""))
        {
            Assert.Contains($"!!! Truncating the AOF {name} at offset {cleanLength} !!!", recovered.Output);
            workload.Verify(recovered.Port, long.MaxValue);
            using var c = new RawClient(recovered.Port);
            Assert.Equal("$-1\r\n", c.Call("GET", "torn"));
        }
        Assert.Equal(cleanLength, new FileInfo(incr).Length);
    }

    /// <summary>
    /// A crash under writes, a verified restart, then a kill while idle: returns the workload, the last incr file
    /// and its length (a command boundary).
    /// </summary>
    private (CrashWorkload Workload, string Incr, long CleanLength) CrashThenKillIdle()
    {
        var workload = new CrashWorkload(Writers);
        KillDuringWrites(workload, 0, 600, "always");
        using (ServerProcess restarted = ServerProcess.Start(_dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""))
        {
            workload.Verify(restarted.Port, long.MaxValue);
            restarted.KillHard();
        }
        string incr = LastIncrFile();
        return (workload, incr, new FileInfo(incr).Length);
    }

    [Fact]
    public void ZeroPaddedTailIsTruncatedOrRefusedAsConfigured()
    {
        // A file extended by the file system but never written after a power loss. Amber treats zeros from a command
        // boundary to the end as a torn tail (documented difference: Redis 7.0.15 reports a bad format).
        var (workload, incr, cleanLength) = CrashThenKillIdle();
        string name = Path.GetFileName(incr);
        using (var f = new FileStream(incr, FileMode.Append))
        {
            f.Write(new byte[4096]);
        }
        var (exitCode, output) = ServerProcess.StartExpectingExit(_dir, "--appendonly", "yes", "--aof-load-truncated", "no", "--save", "");
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Unexpected end of file reading the append only file {name} (offset {cleanLength})", output);

        using (ServerProcess recovered = ServerProcess.Start(_dir, "--appendonly", "yes", "--aof-load-truncated", "yes", "--save", ""))
        {
            Assert.Contains($"!!! Truncating the AOF {name} at offset {cleanLength} !!!", recovered.Output);
            workload.Verify(recovered.Port, long.MaxValue);
        }
        Assert.Equal(cleanLength, new FileInfo(incr).Length);
    }

    /// <summary>Starts the server, runs the writers, SIGKILLs it after <paramref name="delayMs"/>; returns the kill time.</summary>
    private long KillDuringWrites(CrashWorkload workload, int round, int delayMs, string fsync)
    {
        using ServerProcess server = ServerProcess.Start(_dir, "--appendonly", "yes", "--appendfsync", fsync, "--save", "");
        Thread[] writers = workload.Run(server.Port, round);
        Thread.Sleep(delayMs); // the crash moment itself is what is being randomised, not a synchronisation
        long killTicks = Environment.TickCount64;
        server.KillHard();
        workload.Join(writers);
        return killTicks;
    }

    private string LastIncrFile()
    {
        string aofDir = Path.Combine(_dir, "appendonlydir");
        string? last = null;
        long lastSeq = -1;
        foreach (string path in Directory.GetFiles(aofDir, "*.incr.aof"))
        {
            string file = Path.GetFileName(path);
            string[] parts = file.Split('.'); // appendonly.aof.<seq>.incr.aof
            long seq = long.Parse(parts[^3], CultureInfo.InvariantCulture);
            if (seq > lastSeq)
            {
                lastSeq = seq;
                last = path;
            }
        }
        Assert.NotNull(last);
        return last;
    }
}
