using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests.Keyspace;

/// <summary>
/// Commands that move a value between keys or databases, or put a value of another class under a key, now that a
/// collection is its key's entry (and a small one lives in the entry's array after the key): RENAME, MOVE, COPY,
/// SWAPDB, SORT ... STORE and RESTORE ... REPLACE, for small and big values of every type. The value must arrive
/// intact under its new key (DEBUG DIGEST-VALUE, OBJECT ENCODING), keep its TTL where Redis keeps it, and changing
/// it afterwards must leave any other key alone.
/// </summary>
public class ValueEntryCommandTests
{
    public static TheoryData<string, bool> Shapes()
    {
        var data = new TheoryData<string, bool>();
        foreach (string type in new[] { "hash", "intset", "wordset", "zset", "list" })
        {
            data.Add(type, false);
            data.Add(type, true);
        }
        return data;
    }

    /// <summary>Fills <paramref name="key"/> (small: 5 elements, in the compact encoding; big: 300, past it).</summary>
    private static void Fill(IDatabase db, string key, string type, bool big, string tag = "")
    {
        int n = big ? 300 : 5;
        for (int i = 0; i < n; i++)
        {
            switch (type)
            {
                case "hash": db.HashSet(key, "field" + i, tag + "v" + i); break;
                case "intset": db.SetAdd(key, (tag.Length * 1000) + i); break;
                case "wordset": db.SetAdd(key, tag + "w" + i); break;
                case "zset": db.SortedSetAdd(key, tag + "m" + i, i); break;
                default: db.ListRightPush(key, tag + "e" + i); break;
            }
        }
    }

    /// <summary>Adds one element, as a write after the move would.</summary>
    private static void Grow(IDatabase db, string key, string type)
    {
        switch (type)
        {
            case "hash": db.HashSet(key, "extra", "x"); break;
            case "intset": db.SetAdd(key, 99999); break;
            case "wordset": db.SetAdd(key, "extra"); break;
            case "zset": db.SortedSetAdd(key, "extra", 0.5); break;
            default: db.ListRightPush(key, "extra"); break;
        }
    }

    private static string Digest(IDatabase db, string key) => ((RedisResult[])db.Execute("DEBUG", "DIGEST-VALUE", key)!)[0].ToString()!;

    private static string Encoding(IDatabase db, string key) => db.Execute("OBJECT", "ENCODING", key).ToString()!;

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task RenameMovesTheValueWithItsTtlOverAnotherType(string type, bool big)
    {
        await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes");
        IDatabase db = server.Db();
        Fill(db, "src", type, big);
        db.KeyExpire("src", TimeSpan.FromHours(1));
        db.StringSet("dst", "a string to replace");
        string digest = Digest(db, "src");
        string encoding = Encoding(db, "src");

        Assert.True(db.KeyRename("src", "dst"));
        Assert.False(db.KeyExists("src"));
        Assert.Equal(digest, Digest(db, "dst"));
        Assert.Equal(encoding, Encoding(db, "dst"));
        Assert.InRange(db.KeyTimeToLive("dst")!.Value.TotalSeconds, 3500, 3600);

        // Renamed again over a collection of another type, then changed in place under its new key.
        Fill(db, "other", type == "hash" ? "list" : "hash", big: false);
        Assert.True(db.KeyRename("dst", "other"));
        Assert.Equal(digest, Digest(db, "other"));
        Grow(db, "other", type);
        Assert.NotEqual(digest, Digest(db, "other"));
        Assert.Equal(1, (long)db.Execute("EXISTS", "other"));
        Assert.Equal(1, (long)db.Execute("DBSIZE"));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task MoveAndSwapDbCarryTheValueBetweenDatabases(string type, bool big)
    {
        await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes");
        IDatabase db0 = server.Db(0);
        IDatabase db1 = server.Db(1);
        Fill(db0, "k", type, big);
        string digest = Digest(db0, "k");

        Assert.True(db0.KeyMove("k", 1));
        Assert.False(db0.KeyExists("k"));
        Assert.Equal(digest, Digest(db1, "k"));

        db0.Execute("SWAPDB", 0, 1);
        Assert.Equal(digest, Digest(db0, "k"));
        Assert.False(db1.KeyExists("k"));

        Grow(db0, "k", type);
        Assert.NotEqual(digest, Digest(db0, "k"));
        Assert.True(db0.KeyMove("k", 1));
        Fill(db0, "k", type, big, tag: "again");
        Assert.NotEqual(Digest(db0, "k"), Digest(db1, "k"));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task CopyIsIndependentOfItsSource(string type, bool big)
    {
        await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes");
        IDatabase db = server.Db();
        Fill(db, "src", type, big);
        db.HashSet("dst", "f", "v");
        string digest = Digest(db, "src");

        Assert.False((bool)db.Execute("COPY", "src", "dst"));
        Assert.True((bool)db.Execute("COPY", "src", "dst", "REPLACE"));
        Assert.True((bool)db.Execute("COPY", "src", "dst", "DB", 1));
        Assert.Equal(digest, Digest(db, "dst"));
        Assert.Equal(digest, Digest(server.Db(1), "dst"));
        Assert.Equal(Encoding(db, "src"), Encoding(db, "dst"));

        Grow(db, "dst", type);
        Assert.Equal(digest, Digest(db, "src"));
        Assert.Equal(digest, Digest(server.Db(1), "dst"));
        Grow(db, "src", type);
        Assert.Equal(Digest(db, "src"), Digest(db, "dst"));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task RestoreReplaceAndSortStorePutAValueOfAnotherClassUnderAKey(string type, bool big)
    {
        await using var server = TestServer.Start(c => c.EnableDebugCommand = "yes");
        IDatabase db = server.Db();
        Fill(db, "src", type, big);
        string digest = Digest(db, "src");
        byte[] dump = db.KeyDump("src")!;

        // RESTORE REPLACE over a key of another type (a string, then a collection of another class).
        db.StringSet("dst", "x");
        db.Execute("RESTORE", "dst", 0, dump, "REPLACE");
        Assert.Equal(digest, Digest(db, "dst"));
        Fill(db, "dst2", type == "zset" ? "hash" : "zset", big);
        db.Execute("RESTORE", "dst2", 0, dump, "REPLACE");
        Assert.Equal(digest, Digest(db, "dst2"));
        Assert.Equal(Encoding(db, "src"), Encoding(db, "dst2"));
        Grow(db, "dst2", type);
        Assert.Equal(digest, Digest(db, "dst"));

        if (type != "hash")
        {
            // SORT ... STORE replaces the destination (here the source itself, and then a hash) with a list.
            RedisValue[] sorted = db.Sort("src", sortType: SortType.Alphabetic);
            db.HashSet("sorted", "f", "v");
            Assert.Equal(sorted.Length, db.SortAndStore("sorted", "src", sortType: SortType.Alphabetic));
            Assert.Equal(sorted, db.ListRange("sorted"));
            Assert.Equal(sorted.Length, db.SortAndStore("src", "src", sortType: SortType.Alphabetic));
            Assert.Equal(sorted, db.ListRange("src"));
            Assert.Equal("list", db.KeyType("src").ToString().ToLowerInvariant());
        }
    }
}
