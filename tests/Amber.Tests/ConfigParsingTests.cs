using Amber.Config;
using Amber.Notifications;

namespace Amber.Tests;

/// <summary>redis.conf syntax and the command line, as redis-server 7.0 reads them (no sockets).</summary>
public sealed class ConfigParsingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "amber-conf-" + Guid.NewGuid().ToString("N"));

    public ConfigParsingTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static ServerConfig Load(string text)
    {
        var config = new ServerConfig();
        ConfigLoader.LoadFromString(config, text);
        return config;
    }

    private static ServerConfig FromArgs(params string[] args) => ConfigLoader.FromCommandLine(args, TextReader.Null, changeProcessDirectory: false);

    private static string Fatal(int line, string text, string error) =>
        $"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{error}";

    [Fact]
    public void CommentsBlankLinesAndWhitespaceAreIgnored()
    {
        ServerConfig c = Load("# a comment\n\n   \t\n  port 7001  \r\n\thz 20\n# port 1\n");
        Assert.Equal(7001, c.Port);
        Assert.Equal(20, c.Hz);
    }

    [Fact]
    public void QuotedValuesTakeEscapes()
    {
        ServerConfig c = Load("requirepass \"a b\\x41\\n\\\"q\\\\\"\nlogfile 'it\\'s here'\nmasterauth \"caf\u00e9\"\n");
        Assert.Equal("a bA\n\"q\\", c.RequirePass);
        Assert.Equal("it's here", c.LogFile);
        Assert.Equal("caf\u00e9", c.Other["masterauth"]);
    }

    [Theory]
    [InlineData("a b", new[] { "a", "b" })]
    [InlineData("  a   \"b c\"  'd e' ", new[] { "a", "b c", "d e" })]
    [InlineData("x\"\"", new[] { "x" })]
    [InlineData("\"\"", new[] { "" })]
    [InlineData("\"\\x4a\\x4B\"", new[] { "JK" })]
    public void SplitsArgumentsLikeRedis(string line, string[] expected) => Assert.Equal(expected, ConfigText.Split(line));

    [Theory]
    [InlineData("\"abc")]
    [InlineData("'abc")]
    [InlineData("\"abc\"def")]
    [InlineData("'abc'def")]
    public void UnbalancedQuotesDoNotSplit(string line) => Assert.Null(ConfigText.Split(line));

    [Theory]
    [InlineData("plain")]
    [InlineData("with space and \"quotes\" and \\ backslash")]
    [InlineData("tabs\tand\nnewlines\r\a\b")]
    [InlineData("caf\u00e9 \u65e5\u672c")]
    [InlineData("")]
    public void ReprRoundTrips(string value) => Assert.Equal(new[] { value }, ConfigText.Split(ConfigText.Repr(value)));

    [Fact]
    public void ReprEscapesLikeSdscatrepr() => Assert.Equal("\"a\\\"b\\\\c\\n\\x01\\xc3\\xa9\"", ConfigText.Repr("a\"b\\c\n\u0001\u00e9"));

    [Theory]
    [InlineData("1k", 1000L)]
    [InlineData("1kb", 1024L)]
    [InlineData("1K", 1000L)]
    [InlineData("2KB", 2048L)]
    [InlineData("3m", 3_000_000L)]
    [InlineData("3mb", 3L * 1024 * 1024)]
    [InlineData("1g", 1_000_000_000L)]
    [InlineData("1Gb", 1024L * 1024 * 1024)]
    [InlineData("123", 123L)]
    [InlineData("123b", 123L)]
    public void MemoryUnits(string text, long expected) => Assert.Equal(expected, Load($"maxmemory {text}").MaxMemory);

    [Fact]
    public void MemoryUnitsApplyToEveryMemorySetting()
    {
        ServerConfig c = Load("proto-max-bulk-len 2mb\nclient-query-buffer-limit 1gb\nauto-aof-rewrite-min-size 32mb\nhash-max-listpack-value 1k");
        Assert.Equal(2L * 1024 * 1024, c.ProtoMaxBulkLen);
        Assert.Equal(1024L * 1024 * 1024, c.ClientQueryBufferLimit);
        Assert.Equal(32L * 1024 * 1024, c.AutoAofRewriteMinSize);
        Assert.Equal("1000", ConfigRegistry.Find("hash-max-listpack-value")!.Param.Get(c));
    }

    [Fact]
    public void BooleansAreCaseInsensitive()
    {
        ServerConfig c = Load("appendonly YES\nrdbcompression No\nslave-read-only no");
        Assert.True(c.AppendOnly);
        Assert.False(c.RdbCompression);
        Assert.Equal("no", ConfigRegistry.Find("replica-read-only")!.Param.Get(c));
    }

    [Fact]
    public void DefaultSavePointsStayUntilTheFileNamesSome()
    {
        Assert.Equal([new(3600, 1), new(300, 100), new(60, 10000)], Load("port 1").Save);
        Assert.Equal([new(900, 1), new(300, 10), new(60, 10000)], Load("save 900 1\nsave 300 10\nsave \"60 10000\"").Save);
        Assert.Empty(Load("save \"\"").Save);
        Assert.Equal([new SavePoint(10, 2)], Load("save 900 1\nsave \"\"\nsave 10 2").Save);
    }

    [Fact]
    public void EnumsAndMultiArgSettings()
    {
        ServerConfig c = Load("appendfsync ALWAYS\nloglevel warning\nbind 127.0.0.1 ::1\nnotify-keyspace-events Ex\nshutdown-on-sigterm nosave now");
        Assert.Equal(AppendFsyncMode.Always, c.AppendFsync);
        Assert.Equal("warning", c.LogLevel);
        Assert.Equal(["127.0.0.1", "::1"], c.Bind);
        Assert.Equal(NotifyFlags.Keyevent | NotifyFlags.Expired, c.NotifyKeyspaceEvents);
        Assert.Equal("nosave now", ConfigRegistry.Find("shutdown-on-sigterm")!.Param.Get(c));
    }

    [Fact]
    public void HzIsClampedLikeRedis()
    {
        Assert.Equal(500, Load("hz 100000").Hz);
        Assert.Equal(1, Load("hz 0").Hz);
    }

    [Fact]
    public void DeprecatedDirectivesAreIgnored() => Load("list-max-ziplist-entries 512\nlua-replicate-commands yes");

    [Fact]
    public void IncludeReadsAnotherFile()
    {
        string inc = WriteFile("inc.conf", "maxclients 77\nport 7002\n");
        string main = WriteFile("main.conf", $"port 7001\ninclude {inc}\nhz 33\n");
        ServerConfig c = FromArgs(main);
        Assert.Equal(77, c.MaxClients);
        Assert.Equal(7002, c.Port);
        Assert.Equal(33, c.Hz);
        Assert.Equal(main, c.ConfigFile);
    }

    [Fact]
    public void IncludeWithPatternReadsEveryMatchInOrder()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        WriteFile("conf.d/b.conf", "port 7002\n");
        WriteFile("conf.d/a.conf", "port 7001\nhz 11\n");
        ServerConfig c = Load($"include {_dir}/conf.d/*.conf\ninclude {_dir}/none/*.conf");
        Assert.Equal(7002, c.Port);
        Assert.Equal(11, c.Hz);
    }

    [Fact]
    public void CommandLineOptionsOverrideTheFile()
    {
        string main = WriteFile("main.conf", "port 7001\nhz 20\n");
        ServerConfig c = FromArgs(main, "--port", "7005", "--save", "900", "1", "300", "10", "--bind", "127.0.0.1", "::1", "--maxmemory", "10mb");
        Assert.Equal(7005, c.Port);
        Assert.Equal(20, c.Hz);
        Assert.Equal([new(900, 1), new(300, 10)], c.Save);
        Assert.Equal(["127.0.0.1", "::1"], c.Bind);
        Assert.Equal(10L * 1024 * 1024, c.MaxMemory);
    }

    [Fact]
    public void CommandLineSaveForms()
    {
        Assert.Equal([new(900, 1), new(300, 10)], FromArgs("--save", "900 1 300 10").Save);
        Assert.Empty(FromArgs("--save", "").Save);
        Assert.Empty(FromArgs("--port", "7001", "--save").Save);
        ServerConfig c = FromArgs("--save", "--port", "7001");
        Assert.Empty(c.Save);
        Assert.Equal(7001, c.Port);
        Assert.Equal(7003, FromArgs("--port 7003").Port);
        Assert.Null(c.ConfigFile);
    }

    [Fact]
    public void ValuesWithSpacesSurviveTheCommandLine() =>
        Assert.Equal("pass word \"x\"", FromArgs("--requirepass", "pass word \"x\"").RequirePass);

    /// <summary>As in redis-server, "-" means standard input only as the first or the last argument.</summary>
    [Fact]
    public void DashReadsStandardInputAfterTheFile()
    {
        string main = WriteFile("main.conf", "port 7001\nhz 20\n");
        ServerConfig c = ConfigLoader.FromCommandLine([main, "--hz", "30", "-"], new StringReader("port 7009\nmaxclients 5\n"), changeProcessDirectory: false);
        Assert.Equal(7009, c.Port);
        Assert.Equal(5, c.MaxClients);
        Assert.Equal(30, c.Hz);
        ServerConfig fromStdinOnly = ConfigLoader.FromCommandLine(["-"], new StringReader("port 7010\n"), changeProcessDirectory: false);
        Assert.Equal(7010, fromStdinOnly.Port);
        Assert.Null(fromStdinOnly.ConfigFile);
    }

    [Fact]
    public void DirIsResolvedAndMustExist()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        Assert.Equal(Path.Combine(_dir, "data"), Load($"dir {_dir}/data/").Dir);
        var e = Assert.Throws<ConfigException>(() => Load($"dir {_dir}/missing"));
        Assert.Equal(Fatal(1, $"dir {_dir}/missing", "No such file or directory"), e.Message);
    }

    [Fact]
    public void UnknownDirectiveNamesTheLine()
    {
        string main = WriteFile("bad.conf", "port 7199\nfoo bar\n");
        var e = Assert.Throws<ConfigException>(() => FromArgs(main));
        Assert.Equal(Fatal(2, "foo bar", "Bad directive or wrong number of arguments"), e.Message);
    }

    [Theory]
    [InlineData("# c\n\n  appendonly maybe  \n", 3, "appendonly maybe", "argument must be 'yes' or 'no'")]
    [InlineData("port \"7199\n", 1, "port \"7199", "Unbalanced quotes in configuration line")]
    [InlineData("port 1 2", 1, "port 1 2", "wrong number of arguments")]
    [InlineData("maxclients 0", 1, "maxclients 0", "argument must be between 1 and 4294967295 inclusive")]
    [InlineData("maxmemory 12xb", 1, "maxmemory 12xb", "argument must be a memory value")]
    [InlineData("hz ten", 1, "hz ten", "argument couldn't be parsed into an integer")]
    [InlineData("loglevel loud", 1, "loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning")]
    [InlineData("save 900", 1, "save 900", "Invalid save parameters")]
    [InlineData("save 0 1", 1, "save 0 1", "Invalid save parameters")]
    [InlineData("dbfilename a/b.rdb", 1, "dbfilename a/b.rdb", "dbfilename can't be a path, just a filename")]
    [InlineData("notify-keyspace-events Q", 1, "notify-keyspace-events Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")]
    [InlineData("rename-command KEYS \"\"", 1, "rename-command KEYS \"\"", "rename-command is not supported by Amber")]
    [InlineData("include", 1, "include", "Bad directive or wrong number of arguments")]
    [InlineData("maxmemory-clients 101%", 1, "maxmemory-clients 101%", "percentage argument must be less or equal to 100")]
    [InlineData("unixsocketperm 1000", 1, "unixsocketperm 1000", "argument must be between 0 and 777 inclusive")]
    public void InvalidLinesStopWithRedisMessage(string text, int line, string shown, string error)
    {
        var e = Assert.Throws<ConfigException>(() => Load(text));
        Assert.Equal(Fatal(line, shown, error), e.Message);
    }

    [Fact]
    public void CommandLineErrorsCountTheLeadingNewline()
    {
        var e = Assert.Throws<ConfigException>(() => FromArgs("--port", "7199", "--foo", "bar"));
        Assert.Equal(Fatal(3, "foo \"bar\"", "Bad directive or wrong number of arguments"), e.Message);
        e = Assert.Throws<ConfigException>(() => FromArgs("--port"));
        Assert.Equal(Fatal(2, "port", "wrong number of arguments"), e.Message);
        e = Assert.Throws<ConfigException>(() => FromArgs("--hz", "5", "6"));
        Assert.Equal(Fatal(2, "hz \"5\" \"6\"", "wrong number of arguments"), e.Message);
    }

    [Fact]
    public void ErrorsInAnIncludedFileCountItsOwnLines()
    {
        string inc = WriteFile("inc.conf", "port 1\n\nbogus\n");
        var e = Assert.Throws<ConfigException>(() => Load($"hz 5\ninclude {inc}"));
        Assert.Equal(Fatal(3, "bogus", "Bad directive or wrong number of arguments"), e.Message);
    }

    [Fact]
    public void MissingFileIsFatal()
    {
        string path = Path.Combine(_dir, "nope.conf");
        var e = Assert.Throws<ConfigException>(() => FromArgs(path));
        Assert.Equal($"Fatal error, can't open config file '{path}': No such file or directory", e.Message);
        e = Assert.Throws<ConfigException>(() => Load($"include {path}"));
        Assert.Equal($"Fatal error, can't open config file '{path}': No such file or directory", e.Message);
    }
}
