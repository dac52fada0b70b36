using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// A seeded mixed dataset written through commands, so the same calls build it in Amber and in redis-server: every
/// value type in both of its encodings, integer and compressible strings, keys with expiries, three databases.
/// </summary>
internal static class SampleDataset
{
    public static void Write(RawClient c, int seed = 42, int scale = 1)
    {
        var random = new Random(seed);
        foreach (int db in new[] { 0, 3, 15 })
        {
            Assert.Equal("+OK\r\n", c.Call("SELECT", db.ToString()));
            for (int i = 0; i < 50 * scale; i++)
            {
                c.Call("SET", $"s:{db}:{i}", random.Next(3) switch
                {
                    0 => random.Next(-100000, 100000).ToString(),
                    1 => new string('x', random.Next(1, 200)),
                    _ => Guid.NewGuid().ToString("N") + i,
                });
            }
            c.Call("SET", $"big:{db}", new string('a', 5000) + db);
            c.Call("SET", $"ttl:{db}", "v", "PX", "86400000");
            c.Call("SET", $"ttl2:{db}", "w", "EX", "3600");
            for (int i = 0; i < 5; i++)
            {
                c.Call("RPUSH", $"list:{db}", $"e{i}", (i * 7).ToString());
            }
            for (int i = 0; i < 300 * scale; i++)
            {
                c.Call("RPUSH", $"biglist:{db}", new string('l', random.Next(1, 100)));
            }
            c.Call("HSET", $"hash:{db}", "f1", "v1", "f2", "2", "f3", "3.5");
            for (int i = 0; i < 600; i++)
            {
                c.Call("HSET", $"bighash:{db}", "field" + i, "value" + random.Next());
            }
            c.Call("SADD", $"intset:{db}", "1", "2", "3", "-70000", "4000000000");
            c.Call("SADD", $"set:{db}", "a", "b", "c", "1");
            c.Call("ZADD", $"zset:{db}", "1", "a", "2.5", "b", "-3", "c");
            for (int i = 0; i < 200; i++)
            {
                c.Call("ZADD", $"bigzset:{db}", (random.NextDouble() * 1000).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "m" + i);
            }
            c.Call("PEXPIRE", $"hash:{db}", "7200000");
            c.Call("EXPIRE", $"biglist:{db}", "99999");
        }
        c.Call("SELECT", "0");
    }

    /// <summary>DEBUG DIGEST plus each database's size: equal datasets give equal text.</summary>
    public static string Fingerprint(RawClient c)
    {
        var sb = new System.Text.StringBuilder(c.Call("DEBUG", "DIGEST"));
        foreach (int db in new[] { 0, 3, 15 })
        {
            c.Call("SELECT", db.ToString());
            sb.Append(db).Append('=').Append(c.Call("DBSIZE"));
            sb.Append(c.Call("PEXPIRETIME", $"ttl:{db}")).Append(c.Call("PEXPIRETIME", $"hash:{db}"));
            sb.Append(c.Call("EXPIRETIME", $"biglist:{db}")).Append(c.Call("EXPIRETIME", $"ttl2:{db}"));
        }
        c.Call("SELECT", "0");
        return sb.ToString();
    }
}
