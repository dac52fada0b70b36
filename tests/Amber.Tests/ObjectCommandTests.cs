using Amber.Keyspace;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>OBJECT ENCODING FREQ IDLETIME REFCOUNT HELP.</summary>
public class ObjectCommandTests
{
    /// <summary>Changes an entry directly, under the keyspace lock, as if time had passed or a command had modified it.</summary>
    private static void WithEntry(TestServer server, string key, Action<Entry> change)
    {
        lock (server.Server.KeyspaceLock)
        {
            Entry? e = server.Server.Databases[0].FindRaw(System.Text.Encoding.UTF8.GetBytes(key));
            Assert.NotNull(e);
            change(e!);
        }
    }

    /// <summary>Idle time 0, or 1 when the clock's second ticked between the access and the check.</summary>
    private static void AssertJustAccessed(RawClient c, string key) =>
        Assert.InRange(long.Parse(c.Call("OBJECT", "IDLETIME", key).Trim(':', '\r', '\n')), 0, 1);

    [Theory]
    [InlineData("123", "int")]
    [InlineData("0", "int")]
    [InlineData("-1", "int")]
    [InlineData("9223372036854775807", "int")]
    [InlineData("-9223372036854775808", "int")]
    [InlineData("9223372036854775808", "embstr")]
    [InlineData("0123", "embstr")]
    [InlineData("-0", "embstr")]
    [InlineData("+1", "embstr")]
    [InlineData(" 1", "embstr")]
    [InlineData("", "embstr")]
    [InlineData("abc", "embstr")]
    [InlineData("12345678901234567890123456789012345678901234", "embstr")]
    [InlineData("123456789012345678901234567890123456789012345", "raw")]
    public async Task StringEncodings(string value, string encoding)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", value);
        Assert.Equal($"${encoding.Length}\r\n{encoding}\r\n", c.Call("OBJECT", "ENCODING", "k"));
    }

    [Fact]
    public async Task ModifiedInPlaceStringsAreRaw()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "12");
        WithEntry(server, "k", e => e.ForceRawEncoding = true);
        Assert.Equal("$3\r\nraw\r\n", c.Call("OBJECT", "encoding", "k"));
        // A new value from SET is encoded afresh.
        c.Call("SET", "k", "12");
        Assert.Equal("$3\r\nint\r\n", c.Call("OBJECT", "encoding", "k"));
    }

    [Fact]
    public async Task MissingKeysAndErrors()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        foreach (string sub in new[] { "ENCODING", "REFCOUNT", "IDLETIME", "FREQ" })
        {
            Assert.Equal("$-1\r\n", c.Call("OBJECT", sub, "nokey"));
            Assert.Equal($"-ERR wrong number of arguments for 'object|{sub.ToLowerInvariant()}' command\r\n", c.Call("OBJECT", sub));
            Assert.Equal($"-ERR wrong number of arguments for 'object|{sub.ToLowerInvariant()}' command\r\n", c.Call("OBJECT", sub, "a", "b"));
        }
        Assert.Equal("-ERR wrong number of arguments for 'object' command\r\n", c.Call("OBJECT"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", c.Call("OBJECT", "foo"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", c.Call("OBJECT", "foo", "bar"));
        Assert.Equal("-ERR wrong number of arguments for 'object|help' command\r\n", c.Call("OBJECT", "HELP", "x"));
    }

    [Fact]
    public async Task HelpMatchesRedis()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        const string expected = "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n" +
            "+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n" +
            "+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n" +
            "+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n" +
            "+    Return the idle time of the <key>, that is the approximated number of\r\n" +
            "+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n" +
            "+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n" +
            "+HELP\r\n+    Prints this help.\r\n";
        Assert.Equal(expected, c.Call("OBJECT", "HELP"));
        Assert.Equal(expected, c.Call("object", "help"));
    }

    [Fact]
    public async Task RefCountReportsSharedSmallIntegers()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "123");
        Assert.Equal(":2147483647\r\n", c.Call("OBJECT", "REFCOUNT", "k"));
        c.Call("SET", "k", "10000");
        Assert.Equal(":1\r\n", c.Call("OBJECT", "REFCOUNT", "k"));
        c.Call("SET", "k", "-1");
        Assert.Equal(":1\r\n", c.Call("OBJECT", "REFCOUNT", "k"));
        c.Call("SET", "k", "abc");
        Assert.Equal(":1\r\n", c.Call("OBJECT", "REFCOUNT", "k"));
        c.Call("SET", "k", "5");
        server.Server.Config.MaxMemory = 100 << 20;
        server.Server.Config.MaxMemoryPolicy = "allkeys-lru";
        Assert.Equal(":1\r\n", c.Call("OBJECT", "REFCOUNT", "k"));
        server.Server.Config.MaxMemoryPolicy = "allkeys-random";
        Assert.Equal(":2147483647\r\n", c.Call("OBJECT", "REFCOUNT", "k"));
    }

    [Fact]
    public async Task IdleTimeGrowsUntilTheKeyIsAccessed()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        AssertJustAccessed(c, "k");
        WithEntry(server, "k", e => e.LastAccessSeconds -= 100);
        // Lookups that do not count as an access leave it alone.
        c.Call("TTL", "k");
        c.Call("TYPE", "k");
        c.Call("EXISTS", "k");
        c.Call("OBJECT", "ENCODING", "k");
        c.Call("SCAN", "0", "TYPE", "string");
        long idle = long.Parse(c.Call("OBJECT", "IDLETIME", "k").Trim(':', '\r', '\n'));
        Assert.InRange(idle, 100, 101);
        // A read or a write does.
        c.Call("GET", "k");
        AssertJustAccessed(c, "k");
        WithEntry(server, "k", e => e.LastAccessSeconds -= 50);
        c.Call("EXPIRE", "k", "100");
        AssertJustAccessed(c, "k");
        WithEntry(server, "k", e => e.LastAccessSeconds -= 50);
        c.Call("TOUCH", "k");
        AssertJustAccessed(c, "k");
        // RENAME keeps the object, so its idle time (after the rename's own access) carries over.
        WithEntry(server, "k", e => e.LastAccessSeconds -= 50);
        c.Call("RENAME", "k", "k2");
        AssertJustAccessed(c, "k2");
    }

    [Fact]
    public async Task FreqNeedsAnLfuPolicyAndCountsAccesses()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
            c.Call("OBJECT", "FREQ", "k"));
        server.Server.Config.MaxMemoryPolicy = "allkeys-lfu";
        Assert.Equal("-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
            c.Call("OBJECT", "IDLETIME", "k"));
        c.Call("SET", "n", "new");
        Assert.Equal(":5\r\n", c.Call("OBJECT", "FREQ", "n"));
        // Below the initial value every access counts; above it, increments become logarithmically rarer.
        c.Call("GET", "n");
        Assert.Equal(":6\r\n", c.Call("OBJECT", "FREQ", "n"));
        for (int i = 0; i < 200; i++)
        {
            c.Call("GET", "n");
        }
        long freq = long.Parse(c.Call("OBJECT", "FREQ", "n").Trim(':', '\r', '\n'));
        Assert.InRange(freq, 7, 30);
        // The counter decays by one per idle minute.
        WithEntry(server, "n", e => e.LastAccessSeconds -= 3 * 60);
        // Three minutes, or four if the clock crossed a minute since the last GET.
        Assert.InRange(long.Parse(c.Call("OBJECT", "FREQ", "n").Trim(':', '\r', '\n')), freq - 4, freq - 3);
        server.Server.Config.MaxMemoryPolicy = "volatile-lfu";
        Assert.InRange(long.Parse(c.Call("OBJECT", "FREQ", "n").Trim(':', '\r', '\n')), freq - 4, freq - 3);
    }
}
