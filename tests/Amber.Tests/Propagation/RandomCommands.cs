using System.Globalization;

namespace Amber.Tests.Propagation;

/// <summary>
/// Random but reproducible write-heavy traffic over a small key space shared by every type (so commands also meet
/// wrong types, missing keys and emptied collections): strings, lists, hashes, sets, sorted sets, expiries (far
/// future or already past, so a replay later sees the same thing), key moves across databases, transactions.
/// </summary>
internal sealed class RandomCommands(Random random)
{
    private static readonly string[] Families = ["k", "l", "h", "s", "z"];
    private string _family = "k";

    public bool Chance(int percent) => random.Next(100) < percent;

    public int Int(int max) => random.Next(max);

    public int Int(int min, int max) => random.Next(min, max + 1);

    public string Pick(params string[] choices) => choices[random.Next(choices.Length)];

    /// <summary>The next request(s): usually one command, sometimes a whole MULTI ... EXEC (or DISCARD).</summary>
    public IEnumerable<string[]> Next()
    {
        if (Chance(8))
        {
            var block = new List<string[]> { new[] { "MULTI" } };
            int n = Int(1, 5);
            for (int i = 0; i < n; i++)
            {
                block.Add(Command());
            }
            block.Add(Chance(90) ? ["EXEC"] : ["DISCARD"]);
            return block;
        }
        return [Command()];
    }

    /// <summary>A key of the command's type family mostly (few WRONGTYPE errors), of any family sometimes.</summary>
    private string Key() => (Chance(85) ? _family : Families[random.Next(Families.Length)]) + random.Next(5);

    private string Val() => Pick("a", "b", "c", "1", "2", "10", "-3", "0.5", "hello", "x" + Int(100));

    private string Num(int min, int max) => Int(min, max).ToString(CultureInfo.InvariantCulture);

    private string Float() => Pick("1.5", "-0.25", "1e3", "3", "0.1", "5.0e-1");

    private string FarSeconds() => Num(1000, 100000);

    private string[] Command()
    {
        int pick = Int(64);
        _family = pick switch
        {
            < 30 => "k",
            < 40 or 61 => "l",
            < 44 => "h",
            < 50 or 62 or 63 => "s",
            < 60 => "z",
            _ => "l",
        };
        if (pick is >= 18 and < 30)
        {
            _family = Families[random.Next(Families.Length)];
        }
        string k = Key();
        return pick switch
        {
            0 => ["SET", k, Val()],
            1 => ["SET", k, Val(), Pick("EX", "ex"), FarSeconds()],
            2 => ["SET", k, Val(), "PX", FarSeconds() + "000", Pick("NX", "XX", "GET")],
            3 => ["SET", k, Val(), Pick("EXAT", "PXAT"), Pick("99999999999", "99999999999999"), Pick("GET", "KEEPTTL", "XX")],
            4 => ["SET", k, Val(), Pick("GET", "KEEPTTL", "NX")],
            5 => ["SETEX", k, FarSeconds(), Val()],
            6 => ["PSETEX", k, FarSeconds() + "0", Val()],
            7 => ["GETSET", k, Val()],
            8 => ["GETDEL", k],
            9 => Pick("1", "2", "3", "4") switch
            {
                "1" => ["GETEX", k, "EX", FarSeconds()],
                "2" => ["GETEX", k, "PERSIST"],
                "3" => ["GETEX", k, "PXAT", "1"],
                _ => ["GETEX", k, "EXAT", "99999999999"],
            },
            10 => ["APPEND", k, Val()],
            11 => ["SETRANGE", k, Num(0, 10), Val()],
            12 => ["INCR", k],
            13 => ["INCRBY", k, Num(-5, 5)],
            14 => ["INCRBYFLOAT", k, Float()],
            15 => ["MSET", k, Val(), Key(), Val()],
            16 => ["MSETNX", k, Val(), Key(), Val()],
            17 => ["SETBIT", k, Num(0, 40), Num(0, 1)],
            18 => ["DEL", k, Key()],
            19 => ["UNLINK", k],
            20 => ["RENAME", k, Key()],
            21 => ["RENAMENX", k, Key()],
            22 => Chance(50) ? ["COPY", k, Key(), "REPLACE"] : ["COPY", k, Key(), "DB", Num(0, 2)],
            23 => ["MOVE", k, Num(0, 2)],
            // PEXPIRE in milliseconds as far away as EXPIRE's seconds: a replay on a loaded machine may come seconds later.
            24 => Chance(50) ? ["EXPIRE", k, FarSeconds(), Pick("NX", "XX", "GT", "LT", "gt")] : ["PEXPIRE", k, FarSeconds() + "000", Pick("NX", "XX", "GT", "LT", "gt")],
            25 => Chance(50) ? [Pick("EXPIRE", "PEXPIRE"), k, Pick("-1", "0")] : [Pick("EXPIREAT", "PEXPIREAT"), k, Pick("-1", "0", "1")],
            26 => [Pick("EXPIREAT", "PEXPIREAT"), k, Pick("99999999999", "99999999999999")],
            27 => ["PERSIST", k],
            28 => ["SELECT", Num(0, 2)],
            29 => Chance(15) ? ["SWAPDB", Num(0, 2), Num(0, 2)] : ["SELECT", Num(0, 2)],
            30 => [Pick("LPUSH", "RPUSH"), k, Val(), Val()],
            31 => [Pick("LPOP", "RPOP"), k],
            32 => [Pick("LPOP", "RPOP"), k, Num(0, 3)],
            33 => ["LMOVE", k, Key(), Pick("LEFT", "RIGHT"), Pick("left", "right")],
            34 => ["RPOPLPUSH", k, Key()],
            35 => ["LMPOP", "2", k, Key(), Pick("LEFT", "RIGHT"), "COUNT", Num(1, 3)],
            36 => [Pick("BLPOP", "BRPOP"), k, "0.001"],
            37 => ["LREM", k, Num(-1, 1), Val()],
            38 => ["LTRIM", k, Num(0, 2), Num(-3, 5)],
            39 => ["LINSERT", k, Pick("BEFORE", "AFTER"), Val(), Val()],
            40 => ["HSET", k, Val(), Val(), Val(), Val()],
            41 => ["HDEL", k, Val()],
            42 => ["HINCRBY", k, Val(), Num(-3, 3)],
            43 => ["HINCRBYFLOAT", k, Val(), Float()],
            44 => ["SADD", k, Val(), Val(), Val()],
            45 => ["SREM", k, Val()],
            46 => ["SPOP", k],
            47 => ["SPOP", k, Num(0, 6)],
            48 => ["SMOVE", k, Key(), Val()],
            49 => [Pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), k, Key(), Key()],
            50 => ["ZADD", k, Num(-5, 5), Val(), Float(), Val()],
            51 => ["ZADD", k, Pick("INCR", "GT", "NX"), Float(), Val()],
            52 => ["ZINCRBY", k, Float(), Val()],
            53 => [Pick("ZPOPMIN", "ZPOPMAX"), k, Num(1, 3)],
            54 => ["ZMPOP", "2", k, Key(), Pick("MIN", "MAX"), "COUNT", Num(1, 3)],
            55 => [Pick("BZPOPMIN", "BZPOPMAX"), k, "0.001"],
            56 => ["BZMPOP", "0.001", "1", k, Pick("MIN", "MAX")],
            57 => [Pick("ZUNIONSTORE", "ZINTERSTORE"), k, "2", Key(), Key(), "WEIGHTS", "2", "0.5"],
            58 => ["ZRANGESTORE", k, Key(), "0", Num(0, 4)],
            59 => ["ZREMRANGEBYRANK", k, "0", Num(0, 2)],
            60 => ["SORT", Key(), "ALPHA", "STORE", k],
            62 => ["SADD", k, Val(), Val(), Val(), Val(), Val(), Val()],
            63 => ["SPOP", k, Num(1, 4)],
            _ => ["BLMOVE", k, Key(), Pick("LEFT", "RIGHT"), Pick("LEFT", "RIGHT"), "0.001"],
        };
    }
}
