using Amber.Keyspace;

namespace Amber.Commands;

/// <summary>
/// LCS: the longest common subsequence of two strings by the classic dynamic-programming table,
/// as the string itself, its length (LEN), or the matching ranges (IDX, MINMATCHLEN, WITHMATCHLEN).
/// </summary>
internal static class LcsCommand
{
    public static void Register(CommandTable t)
    {
        t.Add(new("lcs", -3, CommandFlags.ReadOnly, 1, 2, 1, "read string slow", Lcs) { Group = "string", Since = "7.0.0", Complexity = "O(N*M) for strings of lengths N and M", Summary = "Finds the longest common subsequence of two strings." });
    }

    private static void Lcs(CommandContext ctx)
    {
        ReadOnlySpan<byte> a = Lookup(ctx, ctx.Arg(1), out bool wrongA);
        ReadOnlySpan<byte> b = Lookup(ctx, ctx.Arg(2), out bool wrongB);
        if (wrongA || wrongB)
        {
            ctx.Error(Errors.LcsWrongType);
            return;
        }
        bool getIdx = false;
        bool getLen = false;
        bool withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < ctx.ArgCount; j++)
        {
            bool more = j + 1 < ctx.ArgCount;
            if (ctx.ArgIs(j, "idx"))
            {
                getIdx = true;
            }
            else if (ctx.ArgIs(j, "len"))
            {
                getLen = true;
            }
            else if (ctx.ArgIs(j, "withmatchlen"))
            {
                withMatchLen = true;
            }
            else if (ctx.ArgIs(j, "minmatchlen") && more)
            {
                if (!ctx.TryGetLong(j + 1, out minMatchLen))
                {
                    return;
                }
                minMatchLen = Math.Max(minMatchLen, 0);
                j++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (getIdx && getLen)
        {
            ctx.Error(Errors.LcsLenAndIdx);
            return;
        }
        if ((uint)a.Length >= uint.MaxValue - 1 || (uint)b.Length >= uint.MaxValue - 1)
        {
            ctx.Error(Errors.LcsTooLong);
            return;
        }
        long cells = (long)(a.Length + 1) * (b.Length + 1);
        if (cells * sizeof(uint) > ctx.Server.Config.ProtoMaxBulkLen)
        {
            ctx.Error(Errors.LcsTableTooLarge);
            return;
        }
        if (cells > Array.MaxLength)
        {
            ctx.Error(Errors.LcsAllocationFailed);
            return;
        }
        uint[] table = Fill(a, b);
        Reply(ctx, a, b, table, getIdx, getLen, withMatchLen, minMatchLen);
    }

    private static ReadOnlySpan<byte> Lookup(CommandContext ctx, ReadOnlySpan<byte> key, out bool wrongType)
    {
        Entry? e = ctx.Db.Find(key, ctx.NowMs);
        wrongType = false;
        if (e == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            ctx.KeyMissed(key);
            return default;
        }
        ctx.Server.Stats.KeyspaceHits++;
        wrongType = !e.IsString;
        return e.StringValue;
    }

    /// <summary>table[i * (|b| + 1) + j] = length of the LCS of a[..i] and b[..j].</summary>
    private static uint[] Fill(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int w = b.Length + 1;
        uint[] table = new uint[(long)(a.Length + 1) * w];
        for (int i = 1; i <= a.Length; i++)
        {
            int row = i * w;
            int prev = row - w;
            byte ai = a[i - 1];
            for (int j = 1; j <= b.Length; j++)
            {
                table[row + j] = ai == b[j - 1]
                    ? table[prev + j - 1] + 1
                    : Math.Max(table[prev + j], table[row + j - 1]);
            }
        }
        return table;
    }

    /// <summary>Walks the table back from the end, as Redis does, emitting the string and/or the ranges.</summary>
    private static void Reply(CommandContext ctx, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, uint[] table, bool getIdx, bool getLen, bool withMatchLen, long minMatchLen)
    {
        int w = b.Length + 1;
        uint length = table[(long)a.Length * w + b.Length];
        if (getLen)
        {
            ctx.Reply.WriteInteger(length);
            return;
        }
        byte[] result = new byte[length];
        int idx = (int)length;
        int deferred = -1;
        long ranges = 0;
        if (getIdx)
        {
            ctx.Reply.WriteMapHeader(2);
            ctx.Reply.WriteBulkString("matches"u8);
            deferred = ctx.Reply.BeginDeferredArray();
        }
        // aStart == a.Length means "no range in progress".
        int aStart = a.Length, aEnd = 0, bStart = 0, bEnd = 0;
        int i = a.Length, j = b.Length;
        while (i > 0 && j > 0)
        {
            bool emit = false;
            if (a[i - 1] == b[j - 1])
            {
                result[idx - 1] = a[i - 1];
                if (aStart == a.Length)
                {
                    aStart = aEnd = i - 1;
                    bStart = bEnd = j - 1;
                }
                else if (aStart == i && bStart == j)
                {
                    aStart--;
                    bStart--;
                }
                else
                {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0)
                {
                    emit = true;
                }
                idx--;
                i--;
                j--;
            }
            else
            {
                if (table[(long)(i - 1) * w + j] > table[(long)i * w + j - 1])
                {
                    i--;
                }
                else
                {
                    j--;
                }
                if (aStart != a.Length)
                {
                    emit = true;
                }
            }
            if (emit)
            {
                long matchLen = aEnd - aStart + 1;
                if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen))
                {
                    ctx.Reply.WriteArrayHeader(withMatchLen ? 3 : 2);
                    ctx.Reply.WriteArrayHeader(2);
                    ctx.Reply.WriteInteger(aStart);
                    ctx.Reply.WriteInteger(aEnd);
                    ctx.Reply.WriteArrayHeader(2);
                    ctx.Reply.WriteInteger(bStart);
                    ctx.Reply.WriteInteger(bEnd);
                    if (withMatchLen)
                    {
                        ctx.Reply.WriteInteger(matchLen);
                    }
                    ranges++;
                }
                aStart = a.Length;
            }
        }
        if (getIdx)
        {
            ctx.Reply.EndDeferredArray(deferred, ranges);
            ctx.Reply.WriteBulkString("len"u8);
            ctx.Reply.WriteInteger(length);
        }
        else
        {
            ctx.Reply.WriteBulkString(result);
        }
    }
}
