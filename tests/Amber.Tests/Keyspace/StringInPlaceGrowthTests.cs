using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Keyspace;

/// <summary>
/// APPEND, SETRANGE and SETBIT grow a string in place with free space (Entry.GrowString, as Redis's sds): the free
/// space must never show, in replies, DEBUG DIGEST-VALUE, DUMP, or an RDB written and read back.
/// (That growth is amortized is shown by EntryStringStorageTests and bench/compare.sh, not timed here.)
/// </summary>
public sealed class StringInPlaceGrowthTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "amber-growth-" + Guid.NewGuid().ToString("N"));

    public StringInPlaceGrowthTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Bulk(string s) => $"${Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n";

    [Fact]
    public async Task ManyAppendsGiveTheWholeValueAndLength()
    {
        await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes", new TestServerOptions { Directory = _dir });
        RawClient c = server.Raw();
        var expected = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            string piece = i % 7 == 0 ? "" : "p" + i;
            expected.Append(piece);
            Assert.Equal($":{expected.Length}\r\n", c.Call("APPEND", "s", piece));
        }
        string value = expected.ToString();
        Assert.Equal(Bulk(value), c.Call("GET", "s"));
        Assert.Equal($":{value.Length}\r\n", c.Call("STRLEN", "s"));
        Assert.Equal(Bulk(value[^5..]), c.Call("GETRANGE", "s", "-5", "-1"));
        Assert.Equal("$3\r\nraw\r\n", c.Call("OBJECT", "ENCODING", "s"));

        // The same bytes stored by SET: same digest and DUMP payload, so no free space leaks into either.
        Assert.Equal("+OK\r\n", c.Call("SET", "t", value));
        Assert.Equal(c.Call("DEBUG", "DIGEST-VALUE", "t"), c.Call("DEBUG", "DIGEST-VALUE", "s"));
        Assert.Equal(c.Call("DUMP", "t"), c.Call("DUMP", "s"));

        // SETRANGE past the end pads with zero bytes; SETBIT grows by whole bytes.
        Assert.Equal($":{value.Length + 13}\r\n", c.Call("SETRANGE", "s", (value.Length + 10).ToString(), "end"));
        Assert.Equal(Bulk("\0\0\0\0\0\0\0\0\0\0end"), c.Call("GETRANGE", "s", value.Length.ToString(), "-1"));
        Assert.Equal(":0\r\n", c.Call("SETBIT", "s", ((value.Length + 20) * 8L + 7).ToString(), "1"));
        Assert.Equal($":{value.Length + 21}\r\n", c.Call("STRLEN", "s"));
        Assert.Equal(Bulk("end\0\0\0\0\0\0\0\u0001"), c.Call("GETRANGE", "s", (value.Length + 10).ToString(), "-1"));

        // Written to an RDB and read back, and overwritten by a shorter SET.
        string digest = c.Call("DEBUG", "DIGEST-VALUE", "s");
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "RELOAD"));
        Assert.Equal(digest, c.Call("DEBUG", "DIGEST-VALUE", "s"));
        Assert.Equal($":{value.Length + 21}\r\n", c.Call("STRLEN", "s"));
        Assert.Equal("+OK\r\n", c.Call("SET", "s", "short"));
        Assert.Equal(Bulk("short"), c.Call("GET", "s"));
        Assert.Equal(":10\r\n", c.Call("APPEND", "s", "-more"));
        Assert.Equal(Bulk("short-more"), c.Call("GET", "s"));
    }

    [Fact]
    public async Task RenameMoveAndCopyKeepAGrownString()
    {
        await using var server = TestServer.Start();
        RawClient c = server.Raw();
        for (int i = 0; i < 100; i++)
        {
            c.Call("APPEND", "a", "xy");
        }
        string value = string.Concat(Enumerable.Repeat("xy", 100));
        Assert.Equal(":1\r\n", c.Call("COPY", "a", "b"));
        Assert.Equal("+OK\r\n", c.Call("RENAME", "a", "renamed-to-a-longer-key"));
        Assert.Equal(":1\r\n", c.Call("MOVE", "b", "1"));
        Assert.Equal(Bulk(value), c.Call("GET", "renamed-to-a-longer-key"));
        Assert.Equal(":202\r\n", c.Call("APPEND", "renamed-to-a-longer-key", "zz"));
        Assert.Equal("+OK\r\n", c.Call("SELECT", "1"));
        Assert.Equal(Bulk(value), c.Call("GET", "b"));
        Assert.Equal("+string\r\n", c.Call("TYPE", "b"));
    }
}
