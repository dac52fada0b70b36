using System.Text;
using System.Text.RegularExpressions;
using Amber.CheckAof;
using Amber.Persistence.Storage;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// amber-check-aof against redis-check-aof 7.0 on the same files (written by real redis-server and by Amber, then
/// damaged): same verdict and same ok_up_to offset; --fix, its prompt and -y; --truncate-to-timestamp; and the
/// "Recovering a damaged AOF" procedure of docs/persistence.md, after which both servers start on the fixed directory.
/// </summary>
public sealed partial class CheckAofToolTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Output) Amber(string stdin, params string[] args)
    {
        var output = new StringWriter();
        int code = AofCheck.Run(args, new StringReader(stdin), output, OsFileSystem.Instance);
        return (code, output.ToString().ReplaceLineEndings("\n"));
    }

    private static (int Code, string Output) Redis(string stdin, params string[] args) =>
        Interop.Run(Interop.RequireTool("redis-check-aof"), string.Join(' ', args), stdin);

    private static long OkUpTo(string output)
    {
        Match m = OkUpToPattern().Match(output);
        Assert.True(m.Success, output);
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\[info\] \d+ keys of type [^\n]*\n")]
    private static partial Regex KeysOfTypeLine();

    [GeneratedRegex(@"(Expected \\r\\n, got: 0d|Expected \\r\\n, got: 00)[0-9a-f]+")]
    private static partial Regex CutShortLine();

    [GeneratedRegex(@"ok_up_to=(\d+),")]
    private static partial Regex OkUpToPattern();

    [Fact]
    public void UsageAndMissingFilesExitWithOne()
    {
        Assert.Equal(1, Amber("").Code);
        Assert.Contains(AofCheck.Usage, Amber("").Output, StringComparison.Ordinal);
        Assert.Equal(1, Amber("", "--fix", "--truncate-to-timestamp", "5", "x.aof").Code);
        Assert.Equal(1, Amber("", "--truncate-to-timestamp", "soon", "x.aof").Code);
        (int code, string output) = Amber("", Path.Combine(_dir.Path, "missing.aof"));
        Assert.Equal(1, code);
        Assert.Contains("No such file or directory", output, StringComparison.Ordinal);
    }

    /// <summary>An AOF written by real redis-server: single-file form (plain, or RDB preamble + tail).</summary>
    private byte[] RedisWrittenAof(bool preamble)
    {
        string dir = Path.Combine(_dir.Path, "redis-" + preamble);
        Directory.CreateDirectory(dir);
        using (var redis = AofInteropTests.RedisWithAof.Start(dir, $"--aof-use-rdb-preamble {(preamble ? "yes" : "no")}"))
        {
            using RawClient c = redis.Connect();
            c.Call("SET", "a", "1");
            if (preamble)
            {
                c.Call("BGREWRITEAOF");
                redis.WaitForRewrite(c);
            }
            c.Call("RPUSH", "l", "x", "y");
            c.Call("MULTI");
            c.Call("SET", "b", "2");
            c.Call("INCR", "c");
            c.Call("EXEC");
            c.Call("SET", "d", "4");
            redis.Shutdown(c);
        }
        string aofDir = Path.Combine(dir, "appendonlydir");
        string baseFile = Directory.GetFiles(aofDir, "*.base.*").Single();
        string incrFile = Directory.GetFiles(aofDir, "*.incr.aof").Single();
        return [.. File.ReadAllBytes(baseFile), .. File.ReadAllBytes(incrFile)];
    }

    private void AssertSameVerdict(byte[] content, string what)
    {
        string path = Path.Combine(_dir.Path, "damaged.aof");
        File.WriteAllBytes(path, content);
        (int redisCode, string redisOut) = Redis("", path);
        (int amberCode, string amberOut) = Amber("", path);
        Assert.True(redisCode == amberCode, $"{what}: redis exit {redisCode}, amber exit {amberCode}\nredis:\n{redisOut}\namber:\n{amberOut}");
        // The whole report is the same, but for amber-check-rdb's extra "keys of type" lines on an RDB preamble.
        // For a line cut short, Redis's second "got" byte is whatever its stack buffer held (after an RDB preamble,
        // leftovers of the RDB check): only the first byte is compared.
        Assert.Equal(CutShortLine().Replace(redisOut, "$1"), CutShortLine().Replace(KeysOfTypeLine().Replace(amberOut, ""), "$1"));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void VerdictsMatchRedisCheckAofOnDamagedRedisFiles(bool preamble)
    {
        byte[] good = RedisWrittenAof(preamble);
        AssertSameVerdict(good, "good file");
        int tailStart = preamble ? Encoding.Latin1.GetString(good).IndexOf("*2\r\n$6\r\nSELECT", StringComparison.Ordinal) : 0;
        Assert.True(tailStart >= 0);
        // Truncated at every offset of the RESP tail (a damaged preamble is the RDB checker's business).
        for (int n = Math.Max(tailStart, 1); n < good.Length; n++)
        {
            AssertSameVerdict(good[..n], $"truncated at {n}");
        }
        var rng = new Random(5);
        for (int i = 0; i < 12; i++)
        {
            int at = rng.Next(tailStart, good.Length);
            byte[] garbage = [.. good[..at], .. "XX!"u8, .. good[at..]];
            AssertSameVerdict(garbage, $"garbage at {at}");
        }
        AssertSameVerdict([.. good, .. new byte[4096]], "zero padding");
        string text = Encoding.Latin1.GetString(good);
        int afterSetB = text.IndexOf("*2\r\n$4\r\nINCR", StringComparison.Ordinal);
        AssertSameVerdict(good[..afterSetB], "unfinished MULTI");
        AssertSameVerdict([.. good, .. "*1\r\n$4\r\nEXEC\r\n"u8], "EXEC without MULTI");
    }

    [Fact]
    public void UnfinishedMultiIsCutBeforeTheMulti()
    {
        string path = Path.Combine(_dir.Path, "multi.aof");
        byte[] head = Encoding.ASCII.GetBytes(Cmd("SET", "a", "1"));
        File.WriteAllBytes(path, [.. head, .. Encoding.ASCII.GetBytes(Cmd("MULTI") + Cmd("SET", "b", "2"))]);
        (int code, string output) = Amber("", path);
        Assert.Equal(1, code);
        Assert.Contains("Reached EOF before reading EXEC for MULTI", output, StringComparison.Ordinal);
        Assert.Equal(head.Length, OkUpTo(output));
        Assert.Equal(0, Amber("", "--fix", "--yes", path).Code);
        Assert.Equal(head, File.ReadAllBytes(path));
    }

    [Fact]
    public void FixAsksFirstAndAbortsUnlessTheAnswerIsYes()
    {
        string path = Path.Combine(_dir.Path, "torn.aof");
        string good = Cmd("SET", "a", "1") + Cmd("SET", "b", "2");
        byte[] torn = Encoding.ASCII.GetBytes(good + "*3\r\n$3\r\nSET\r\n$1\r\nc");
        File.WriteAllBytes(path, torn);
        (int code, string output) = Amber("n\n", "--fix", path);
        Assert.Equal(1, code);
        Assert.Contains($"This will shrink the AOF {path} from {torn.Length} bytes, with {torn.Length - good.Length} bytes, to {good.Length} bytes\nContinue? [y/N]: Aborting...\n", output, StringComparison.Ordinal);
        Assert.Equal(torn, File.ReadAllBytes(path));
        Assert.Equal(1, Amber("", "--fix", path).Code);
        (code, output) = Amber("y\n", "--fix", path);
        Assert.Equal(0, code);
        Assert.EndsWith($"Continue? [y/N]: Successfully truncated AOF {path}\n", output, StringComparison.Ordinal);
        Assert.Equal(good, Encoding.ASCII.GetString(File.ReadAllBytes(path)));
        (code, output) = Amber("", path);
        Assert.Equal(0, code);
        Assert.Contains($"AOF {path} is valid", output, StringComparison.Ordinal);
    }

    private static string Cmd(params string[] args)
    {
        var sb = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>A multi-part directory: RESP base, then two incr files, the last one given.</summary>
    private string MultiPartDir(string name, string base1, string incr1, byte[] incr2)
    {
        string dir = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "appendonly.aof.1.base.aof"), base1);
        File.WriteAllText(Path.Combine(dir, "appendonly.aof.1.incr.aof"), incr1);
        File.WriteAllBytes(Path.Combine(dir, "appendonly.aof.2.incr.aof"), incr2);
        File.WriteAllText(Path.Combine(dir, "appendonly.aof.manifest"),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        return Path.Combine(dir, "appendonly.aof.manifest");
    }

    [SkippableFact]
    public void OnlyTheLastFileOfAManifestIsFixed()
    {
        string select = Cmd("SELECT", "0");
        // Damage in a middle file: neither tool fixes it.
        string manifest = MultiPartDir("middle", select + Cmd("SET", "a", "1"), select + Cmd("SET", "b", "2") + "*3\r\n$3",
            Encoding.ASCII.GetBytes(select + Cmd("SET", "c", "3")));
        (int redisCode, string redisOut) = Redis("y\n", "--fix", manifest);
        (int code, string output) = Amber("y\n", "--fix", manifest);
        Assert.Equal(redisCode, code);
        Assert.Equal(1, code);
        Assert.Contains("Failed to truncate AOF appendonly.aof.1.incr.aof because it is not the last file", redisOut, StringComparison.Ordinal);
        Assert.Contains("Failed to truncate AOF appendonly.aof.1.incr.aof because it is not the last file", output, StringComparison.Ordinal);
        Assert.Equal(OkUpTo(redisOut), OkUpTo(output));
    }

    /// <summary>docs/persistence.md "Recovering a damaged AOF", step by step, on a directory real redis-server wrote.</summary>
    [SkippableFact]
    public async Task RecoveryProcedureOnARedisDirectoryLetsBothServersStart()
    {
        using (var redis = AofInteropTests.RedisWithAof.Start(_dir.Path, "--aof-use-rdb-preamble yes"))
        {
            using RawClient c = redis.Connect();
            c.Call("SET", "before", "1");
            c.Call("BGREWRITEAOF");
            redis.WaitForRewrite(c);
            c.Call("SET", "kept", "2");
            c.Call("SET", "torn", "3");
            redis.Shutdown(c);
        }
        string manifest = _dir.File("appendonly.aof.manifest");
        string incr = _dir.File("appendonly.aof.2.incr.aof");
        byte[] whole = File.ReadAllBytes(incr);
        File.WriteAllBytes(incr, whole[..^5]);

        // 1. Check.
        (int code, string output) = Amber("", manifest);
        (int redisCode, string redisOut) = Redis("", manifest);
        Assert.Equal(1, code);
        Assert.Equal(redisCode, code);
        Assert.Equal(OkUpTo(redisOut), OkUpTo(output));
        Assert.Contains("Start to check BASE AOF (RDB format).", output, StringComparison.Ordinal);
        Assert.Contains("BASE AOF appendonly.aof.2.base.rdb is valid", output, StringComparison.Ordinal);
        Assert.Contains("AOF appendonly.aof.2.incr.aof is not valid. Use the --fix option to try fixing it.", output, StringComparison.Ordinal);

        // 2. Back up, 3. fix (answering y), 4. check again.
        PersistenceTestKit.CopyDirectory(_dir.AofDir, _dir.AofDir + ".bak");
        (code, output) = Amber("y\n", "--fix", manifest);
        Assert.True(code == 0, output);
        Assert.Contains("Successfully truncated AOF appendonly.aof.2.incr.aof", output, StringComparison.Ordinal);
        (code, output) = Amber("", manifest);
        Assert.Equal(0, code);
        Assert.EndsWith("All AOF files and manifest are valid\n", output, StringComparison.Ordinal);
        (redisCode, redisOut) = Redis("", manifest);
        Assert.True(redisCode == 0, redisOut);

        // Both servers start on the fixed directory and have everything before the torn command.
        await using (AofServer amber = AofServer.Start(_dir.Path))
        {
            RawClient c = amber.Raw();
            Assert.Equal("$1\r\n1\r\n", c.Call("GET", "before"));
            Assert.Equal("$1\r\n2\r\n", c.Call("GET", "kept"));
            Assert.Equal("$-1\r\n", c.Call("GET", "torn"));
        }
        // Amber may have opened a new incr file; restore the fixed copy for Redis to be sure it reads what was fixed.
        Directory.Delete(_dir.AofDir, recursive: true);
        PersistenceTestKit.CopyDirectory(_dir.AofDir + ".bak", _dir.AofDir);
        File.WriteAllBytes(incr, whole[..^5]);
        Assert.Equal(0, Amber("", "--fix", "-y", manifest).Code);
        using (var redis = AofInteropTests.RedisWithAof.Start(_dir.Path, ""))
        {
            using RawClient c = redis.Connect();
            Assert.Equal("$1\r\n2\r\n", c.Call("GET", "kept"));
            Assert.Equal("$-1\r\n", c.Call("GET", "torn"));
        }
    }

    [SkippableFact]
    public void TruncateToTimestampCutsAtTheFirstLaterAnnotationLikeRedis()
    {
        string content = "#TS:100\r\n" + Cmd("SET", "a", "1") + "#TS:200\r\n" + Cmd("SET", "b", "2") + "#TS:300\r\n" + Cmd("SET", "c", "3");
        int cut = content.IndexOf("#TS:300", StringComparison.Ordinal);
        string amberFile = Path.Combine(_dir.Path, "amber.aof");
        string redisFile = Path.Combine(_dir.Path, "redis.aof");
        foreach (string f in new[] { amberFile, redisFile })
        {
            File.WriteAllText(f, content);
        }
        (int code, string output) = Amber("", "--truncate-to-timestamp", "250", amberFile);
        (int redisCode, string redisOut) = Redis("", "--truncate-to-timestamp", "250", redisFile);
        Assert.Equal(0, code);
        Assert.True(redisCode == 0, redisOut);
        Assert.Contains($"Successfully truncated AOF {amberFile} to timestamp 250", output, StringComparison.Ordinal);
        Assert.Equal(content[..cut], File.ReadAllText(amberFile));
        Assert.Equal(File.ReadAllText(redisFile), File.ReadAllText(amberFile));

        (code, output) = Amber("", "--truncate-to-timestamp", "1000", amberFile);
        Assert.Equal(0, code);
        Assert.Contains($"Truncate nothing in AOF {amberFile} to timestamp 1000", output, StringComparison.Ordinal);
        (code, output) = Amber("", "--truncate-to-timestamp", "50", amberFile);
        Assert.Equal(1, code);
        Assert.Contains($"AOF {amberFile} has nothing before timestamp 50, aborting...", output, StringComparison.Ordinal);
        Assert.Equal(content[..cut], File.ReadAllText(amberFile));

        // In a manifest only the last file may be cut.
        string manifest = MultiPartDir("ts", Cmd("SET", "a", "1"), Cmd("SELECT", "0") + "#TS:500\r\n" + Cmd("SET", "b", "2"),
            Encoding.ASCII.GetBytes(Cmd("SELECT", "0") + "#TS:600\r\n" + Cmd("SET", "c", "3")));
        (code, output) = Amber("", "--truncate-to-timestamp", "400", manifest);
        (redisCode, redisOut) = Redis("", "--truncate-to-timestamp", "400", manifest);
        Assert.Equal(1, code);
        Assert.Equal(redisCode, code);
        Assert.Contains("because it is not the last file.", output, StringComparison.Ordinal);
        Assert.Contains("because it is not the last file.", redisOut, StringComparison.Ordinal);
        (code, output) = Amber("", "--truncate-to-timestamp", "550", manifest);
        Assert.Equal(0, code);
        Assert.Contains("Successfully truncated AOF appendonly.aof.2.incr.aof to timestamp 550", output, StringComparison.Ordinal);
        Assert.Equal(Cmd("SELECT", "0"), File.ReadAllText(Path.Combine(Path.GetDirectoryName(manifest)!, "appendonly.aof.2.incr.aof")));
    }

    [SkippableFact]
    public async Task AmberWrittenAofIsValidForBothToolsAndTheProcessExitsZero()
    {
        await using (AofServer amber = AofServer.Start(_dir.Path, c => c.AofTimestampEnabled = true))
        {
            RawClient c = amber.Raw();
            c.Call("SET", "a", "1");
            c.Call("MULTI");
            c.Call("INCR", "n");
            c.Call("EXEC");
        }
        string manifest = _dir.File("appendonly.aof.manifest");
        (int code, string output) = Amber("", manifest);
        Assert.True(code == 0, output);
        (int redisCode, string redisOut) = Redis("", manifest);
        Assert.True(redisCode == 0, redisOut);

        // Once as a real process, the way the docs run it.
        string tool = Path.Combine(AppContext.BaseDirectory, "amber-check-aof.dll");
        (int processCode, string processOut) = Interop.Run("dotnet", $"\"{tool}\" \"{manifest}\"");
        Assert.True(processCode == 0, processOut);
        Assert.Equal(output, processOut.ReplaceLineEndings("\n"));
    }
}
