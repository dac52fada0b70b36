using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Types;

/// <summary>
/// A hashtable-encoded hash keeps each field and value in one array (ByteTable): replies, in-place and resizing
/// overwrites, COPY, HSCAN, DEBUG DIGEST-VALUE and an RDB written and read back (DEBUG RELOAD) must all see exactly
/// the field and the value, for empty ones and for fields long enough that their length header takes 2 bytes.
/// </summary>
public sealed class HashTableElementServerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "amber-hashtable-" + Guid.NewGuid().ToString("N"));

    public HashTableElementServerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Bulk(string s) => $"${Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n";

    [Fact]
    public async Task EdgeFieldsAndValuesSurviveOverwritesCopyScanAndReload()
    {
        await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes", new TestServerOptions { Directory = _dir });
        RawClient c = server.Raw();
        var model = new Dictionary<string, string>();
        void Set(string field, string value)
        {
            bool isNew = !model.ContainsKey(field);
            Assert.Equal(isNew ? ":1\r\n" : ":0\r\n", c.Call("HSET", "h", field, value));
            model[field] = value;
        }
        void CheckAll(string key)
        {
            Assert.Equal($":{model.Count}\r\n", c.Call("HLEN", key));
            foreach (var (field, value) in model)
            {
                Assert.Equal(Bulk(value), c.Call("HGET", key, field));
                Assert.Equal($":{value.Length}\r\n", c.Call("HSTRLEN", key, field));
            }
        }
        for (int i = 0; i < 200; i++)
        {
            Set("f" + i, "v" + i);
        }
        Set("", "");
        Set(new string('a', 127), "");
        Set(new string('b', 128), new string('x', 128));
        Set(new string('c', 300), new string('y', 20000));
        Set("n", "10");
        Assert.Equal("$9\r\nhashtable\r\n", c.Call("OBJECT", "ENCODING", "h"));
        CheckAll("h");

        Set(new string('b', 128), new string('z', 128)); // same length: in place
        Set(new string('c', 300), "");                   // shorter
        Set("", "now-longer");                           // longer
        Set("f7", "w7");                                 // same length
        Assert.Equal(":15\r\n", c.Call("HINCRBY", "h", "n", "5"));
        Assert.Equal(":1015\r\n", c.Call("HINCRBY", "h", "n", "1000"));
        model["n"] = "1015";
        Assert.Equal(":0\r\n", c.Call("HSETNX", "h", "f8", "other"));
        CheckAll("h");

        // A copy must not share the arrays that an overwrite changes in place.
        Assert.Equal(":1\r\n", c.Call("COPY", "h", "h2"));
        Assert.Equal(":0\r\n", c.Call("HSET", "h2", new string('b', 128), new string('q', 128)));
        Assert.Equal(":1016\r\n", c.Call("HINCRBY", "h2", "n", "1"));
        CheckAll("h");

        // HSCAN (fields and values in pairs) sees every pair once over the whole cursor.
        var scanned = new Dictionary<string, string>();
        string cursor = "0";
        do
        {
            cursor = ReadScanReply(c.Call("HSCAN", "h", cursor, "COUNT", "17"), scanned);
        }
        while (cursor != "0");
        Assert.Equal(model.OrderBy(p => p.Key, StringComparer.Ordinal), scanned.OrderBy(p => p.Key, StringComparer.Ordinal));

        string digest = c.Call("DEBUG", "DIGEST-VALUE", "h");
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "RELOAD"));
        Assert.Equal(digest, c.Call("DEBUG", "DIGEST-VALUE", "h"));
        CheckAll("h");
    }

    /// <summary>Parses "*2 $cursor *N ($field $value)..." into <paramref name="into"/>; returns the cursor.</summary>
    private static string ReadScanReply(string reply, Dictionary<string, string> into)
    {
        int at = 0;
        string Line()
        {
            int end = reply.IndexOf("\r\n", at, StringComparison.Ordinal);
            string line = reply[at..end];
            at = end + 2;
            return line;
        }
        string BulkText()
        {
            int length = int.Parse(Line()[1..]);
            string text = reply.Substring(at, length);
            at += length + 2;
            return text;
        }
        Assert.Equal("*2", Line());
        string cursor = BulkText();
        int n = int.Parse(Line()[1..]);
        for (int i = 0; i < n; i += 2)
        {
            string field = BulkText();
            Assert.True(into.TryAdd(field, BulkText()), "field returned twice: " + field);
        }
        return cursor;
    }
}
