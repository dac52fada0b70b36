using System.Text;
using Amber.Keyspace;
using Amber.Notifications;
using Amber.Protocol;
using Amber.Text;
using Amber.Types;

namespace Amber.Commands;

/// <summary>
/// SORT and SORT_RO over lists, sets and sorted sets, as Redis 7.0 does them: numeric (strtod) or ALPHA order,
/// BY and GET patterns with '*' and '->field', LIMIT, and STORE into a list.
/// </summary>
internal static class SortCommand
{
    private const string ByGetNotes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";
    private const string StoreNotes = "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array";

    /// <summary>The documented arguments (COMMAND DOCS), SORT_RO's being SORT's without STORE.</summary>
    private static CommandArg[] Arguments(bool store)
    {
        var args = new List<CommandArg>
        {
            new("key", ArgType.Key) { KeySpecIndex = 0 },
            new("pattern", ArgType.Pattern) { KeySpecIndex = 1, Token = "BY", Flags = ArgFlags.Optional },
            new("offset_count", ArgType.Block)
            {
                Token = "LIMIT",
                Flags = ArgFlags.Optional,
                Arguments = [new("offset", ArgType.Integer), new("count", ArgType.Integer)],
            },
            new("pattern", ArgType.Pattern) { KeySpecIndex = 1, Token = "GET", Flags = ArgFlags.Optional | ArgFlags.Multiple | ArgFlags.MultipleToken },
            new("order", ArgType.OneOf)
            {
                Flags = ArgFlags.Optional,
                Arguments = [new("asc", ArgType.PureToken) { Token = "ASC" }, new("desc", ArgType.PureToken) { Token = "DESC" }],
            },
            new("sorting", ArgType.PureToken) { Token = "ALPHA", Flags = ArgFlags.Optional },
        };
        if (store)
        {
            args.Add(new("destination", ArgType.Key) { KeySpecIndex = 2, Token = "STORE", Flags = ArgFlags.Optional });
        }
        return args.ToArray();
    }

    public static void Register(CommandTable t)
    {
        t.Add(new("sort", -2, CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.MovableKeys, 1, 1, 1, "write set sortedset list slow dangerous", Sort)
        {
            Group = "generic",
            Complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
            Summary = "Sorts a list, set or sorted set, optionally through other keys, and returns or stores the result.",
            KeySpecs =
            [
                KeySpec.Range(KeySpecFlags.RO | KeySpecFlags.Access, 1, 0),
                KeySpec.Unknown(KeySpecFlags.RO | KeySpecFlags.Access, ByGetNotes),
                KeySpec.Unknown(KeySpecFlags.OW | KeySpecFlags.Update, StoreNotes),
            ],
            Arguments = Arguments(store: true),
            KeyFinder = (args, keys) => FindKeyPositions(args, keys, store: true),
            KeyFlagsFinder = (args, keys) => FindKeys(args, keys, store: true),
        });
        t.Add(new("sort_ro", -2, CommandFlags.ReadOnly | CommandFlags.MovableKeys, 1, 1, 1, "read set sortedset list slow dangerous", SortReadOnly)
        {
            Group = "generic",
            Since = "7.0.0",
            Complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
            Summary = "Sorts a list, set or sorted set, optionally through other keys, and returns the result (no STORE).",
            KeySpecs =
            [
                KeySpec.Range(KeySpecFlags.RO | KeySpecFlags.Access, 1, 0),
                KeySpec.Unknown(KeySpecFlags.RO | KeySpecFlags.Access, ByGetNotes),
            ],
            Arguments = Arguments(store: false),
            KeyFinder = (args, keys) => FindKeyPositions(args, keys, store: false),
            KeyFlagsFinder = (args, keys) => FindKeys(args, keys, store: false),
        });
    }

    private static bool FindKeyPositions(ArgList args, List<int> positions, bool store)
    {
        var keys = new List<(int Position, KeySpecFlags Flags)>();
        FindKeys(args, keys, store);
        foreach ((int p, _) in keys)
        {
            positions.Add(p);
        }
        return true;
    }

    /// <summary>
    /// Redis's sortGetKeys: the sorted key, and the argument after the last STORE found while skipping the arguments of
    /// LIMIT, GET and BY (SORT_RO: the sorted key only).
    /// </summary>
    private static bool FindKeys(ArgList args, List<(int Position, KeySpecFlags Flags)> keys, bool store)
    {
        keys.Add((1, KeySpecFlags.RO | KeySpecFlags.Access));
        if (!store)
        {
            return true;
        }
        int storeAt = -1;
        for (int i = 2; i < args.Count; i++)
        {
            ReadOnlySpan<byte> a = args[i];
            if (Ascii.EqualsIgnoreCase(a, "limit"u8))
            {
                i += 2;
            }
            else if (Ascii.EqualsIgnoreCase(a, "get"u8) || Ascii.EqualsIgnoreCase(a, "by"u8))
            {
                i += 1;
            }
            else if (Ascii.EqualsIgnoreCase(a, "store"u8) && i + 1 < args.Count)
            {
                storeAt = i + 1;
            }
        }
        if (storeAt > 0)
        {
            keys.Add((storeAt, KeySpecFlags.OW | KeySpecFlags.Update));
        }
        return true;
    }

    private static void Sort(CommandContext ctx) => Run(ctx, readOnly: false);

    private static void SortReadOnly(CommandContext ctx) => Run(ctx, readOnly: true);

    /// <summary>One element to sort: its bytes, its numeric score, its BY value for ALPHA, and where it came from (ties keep that order).</summary>
    private struct Item
    {
        public byte[] Value;
        public double Score;
        public byte[]? ByValue;
        public int Order;
    }

    private sealed class Comparer(bool alpha, bool byPattern, bool binary, bool desc, bool stable) : IComparer<Item>
    {
        public int Compare(Item x, Item y)
        {
            int cmp;
            if (!alpha)
            {
                cmp = x.Score > y.Score ? 1 : x.Score < y.Score ? -1 : x.Value.AsSpan().SequenceCompareTo(y.Value);
            }
            else if (byPattern)
            {
                if (x.ByValue == null || y.ByValue == null)
                {
                    cmp = x.ByValue == y.ByValue ? 0 : x.ByValue == null ? -1 : 1;
                }
                else
                {
                    cmp = binary ? x.ByValue.AsSpan().SequenceCompareTo(y.ByValue) : CollateCompare(x.ByValue, y.ByValue);
                }
            }
            else
            {
                cmp = binary ? x.Value.AsSpan().SequenceCompareTo(y.Value) : CollateCompare(x.Value, y.Value);
            }
            cmp = Math.Sign(cmp);
            if (desc)
            {
                cmp = -cmp;
            }
            // glibc's qsort is a merge sort: equal elements keep their order.
            return cmp != 0 || !stable ? cmp : x.Order.CompareTo(y.Order);
        }
    }

    /// <summary>strcoll in the C locale: strcmp, which stops at the first NUL byte.</summary>
    private static int CollateCompare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int na = a.IndexOf((byte)0);
        int nb = b.IndexOf((byte)0);
        return (na >= 0 ? a[..na] : a).SequenceCompareTo(nb >= 0 ? b[..nb] : b);
    }

    private static void Run(CommandContext ctx, bool readOnly)
    {
        bool desc = false;
        bool alpha = false;
        bool dontSort = false;
        long limitStart = 0;
        long limitCount = -1;
        int sortBy = -1;
        int storeKey = -1;
        List<int>? gets = null;
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            int left = ctx.ArgCount - j - 1;
            if (ctx.ArgIs(j, "asc"))
            {
                desc = false;
            }
            else if (ctx.ArgIs(j, "desc"))
            {
                desc = true;
            }
            else if (ctx.ArgIs(j, "alpha"))
            {
                alpha = true;
            }
            else if (ctx.ArgIs(j, "limit") && left >= 2)
            {
                if (!ctx.TryGetLong(j + 1, out limitStart) || !ctx.TryGetLong(j + 2, out limitCount))
                {
                    return;
                }
                j += 2;
            }
            else if (!readOnly && ctx.ArgIs(j, "store") && left >= 1)
            {
                storeKey = j + 1;
                j++;
            }
            else if (ctx.ArgIs(j, "by") && left >= 1)
            {
                sortBy = j + 1;
                // A pattern without '*' names no key per element: nothing to sort by (and it stays so).
                if (CString(ctx.Arg(j + 1)).IndexOf((byte)'*') < 0)
                {
                    dontSort = true;
                }
                j++;
            }
            else if (ctx.ArgIs(j, "get") && left >= 1)
            {
                (gets ??= []).Add(j + 1);
                j++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        Entry? entry = ctx.Db.Find(ctx.Arg(1), ctx.NowMs);
        if (entry == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
        }
        else
        {
            ctx.Server.Stats.KeyspaceHits++;
        }
        object? source = entry?.Value;
        if (entry != null && source is not QuickList && source is not SetValue && source is not SortedSet)
        {
            ctx.WrongType();
            return;
        }

        // A set has no order of its own: when its result is stored, sort it so the stored list is deterministic.
        if (dontSort && source is SetValue && storeKey >= 0)
        {
            dontSort = false;
            alpha = true;
            sortBy = -1;
        }

        // Redis converts a sorted set it sorts to the skiplist encoding, for good (even SORT_RO, even on a later error).
        if (source is SortedSet converted)
        {
            converted.ConvertToLarge();
        }

        long length = source switch
        {
            QuickList l => l.Count,
            SetValue s => s.Count,
            SortedSet z => z.Count,
            _ => 0,
        };
        long start = Math.Min(Math.Max(limitStart, 0), length);
        limitCount = Math.Min(Math.Max(limitCount, -1), length);
        long end = limitCount < 0 ? length - 1 : start + limitCount - 1;
        if (start >= length)
        {
            start = length - 1;
            end = length - 2;
        }
        if (end >= length)
        {
            end = length - 1;
        }

        Item[] items;
        if (source is QuickList list && dontSort)
        {
            // The list's own order (reversed for DESC), only the LIMIT range.
            items = new Item[Math.Max(0, end - start + 1)];
            if (items.Length > 0)
            {
                ListCursor cursor = list.Seek(desc ? list.Count - start - 1 : start);
                for (int j = 0; j < items.Length; j++)
                {
                    byte[] v;
                    if (desc)
                    {
                        list.Previous(ref cursor, out ReadOnlySpan<byte> previous);
                        v = previous.ToArray();
                    }
                    else
                    {
                        list.Next(ref cursor, out ReadOnlySpan<byte> next);
                        v = next.ToArray();
                    }
                    items[j] = new Item { Value = v, Order = j };
                }
            }
            end -= start;
            start = 0;
        }
        else if (source is SortedSet zset && dontSort)
        {
            // The sorted set's own order (reversed for DESC), only the LIMIT range.
            items = new Item[Math.Max(0, end - start + 1)];
            int handle = desc
                ? (start > 0 ? zset.AtRank((int)(zset.Count - start - 1)) : zset.Last())
                : (start > 0 ? zset.AtRank((int)start) : zset.First());
            for (int j = 0; j < items.Length; j++)
            {
                items[j] = new Item { Value = zset.MemberAt(handle).ToArray(), Order = j };
                handle = desc ? zset.Prev(handle) : zset.Next(handle);
            }
            end -= start;
            start = 0;
        }
        else if (source is SortedSet members)
        {
            items = new Item[members.Count];
            int handle = members.First();
            for (int j = 0; j < items.Length; j++)
            {
                items[j] = new Item { Value = members.MemberAt(handle).ToArray(), Order = j };
                handle = members.Next(handle);
            }
        }
        else if (source is QuickList all)
        {
            items = new Item[all.Count];
            ListCursor cursor = all.HeadCursor();
            for (int j = 0; j < items.Length; j++)
            {
                all.Next(ref cursor, out ReadOnlySpan<byte> v);
                items[j] = new Item { Value = v.ToArray(), Order = j };
            }
        }
        else if (source is SetValue set)
        {
            items = new Item[set.Count];
            Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
            for (int j = 0; j < items.Length; j++)
            {
                items[j] = new Item { Value = set.MemberAt(j, scratch).ToArray(), Order = j };
            }
        }
        else
        {
            items = [];
        }

        bool conversionError = false;
        byte[] keyBuffer = [];
        if (!dontSort)
        {
            for (int j = 0; j < items.Length; j++)
            {
                ReadOnlySpan<byte> by;
                if (sortBy >= 0)
                {
                    if (!TryLookup(ctx, ctx.Arg(sortBy), items[j].Value, ref keyBuffer, out by))
                    {
                        continue;
                    }
                }
                else
                {
                    by = items[j].Value;
                }
                if (alpha)
                {
                    if (sortBy >= 0)
                    {
                        items[j].ByValue = by.ToArray();
                    }
                }
                else if (!CStrtod.TryParseWhole(by, out items[j].Score))
                {
                    conversionError = true;
                }
            }
            if (sortBy >= 0 && (start != 0 || end != items.Length - 1))
            {
                // Redis sorts only the partitions that hold the LIMIT range then (and ties may move).
                PartialQuickSort.Sort(items, new Comparer(alpha, byPattern: true, binary: storeKey >= 0, desc, stable: false), start, end);
            }
            else
            {
                Array.Sort(items, new Comparer(alpha, sortBy >= 0, binary: storeKey >= 0, desc, stable: true));
            }
        }

        if (conversionError)
        {
            ctx.Error(Errors.SortScoreNotDouble);
            return;
        }
        long count = end - start + 1;
        long outputLength = gets != null ? gets.Count * count : count;
        if (storeKey < 0)
        {
            ctx.Reply.WriteArrayHeader(outputLength);
            for (long j = start; j <= end; j++)
            {
                byte[] element = items[j].Value;
                if (gets == null)
                {
                    ctx.Reply.WriteBulkString(element);
                    continue;
                }
                foreach (int g in gets)
                {
                    if (TryLookup(ctx, ctx.Arg(g), element, ref keyBuffer, out ReadOnlySpan<byte> value))
                    {
                        ctx.Reply.WriteBulkString(value);
                    }
                    else
                    {
                        ctx.Reply.WriteNull();
                    }
                }
            }
            return;
        }

        var stored = new QuickList(ctx.Server.Config.ListMaxListpackSize);
        for (long j = start; j <= end; j++)
        {
            byte[] element = items[j].Value;
            if (gets == null)
            {
                stored.PushTail(element);
                continue;
            }
            foreach (int g in gets)
            {
                // A missing value is stored as an empty string.
                stored.PushTail(TryLookup(ctx, ctx.Arg(g), element, ref keyBuffer, out ReadOnlySpan<byte> value) ? value : default);
            }
        }
        ReadOnlySpan<byte> destination = ctx.Arg(storeKey);
        if (outputLength > 0)
        {
            ctx.Db.Set(destination, stored, ctx.NowMs);
            ctx.KeyWritten(destination, NotifyFlags.List, "sortstore", outputLength);
        }
        else if (ctx.Db.Delete(destination))
        {
            ctx.KeyWritten(destination, NotifyFlags.Generic, "del");
        }
        ctx.Reply.WriteInteger(outputLength);
    }

    /// <summary>The bytes C string functions see: up to the first NUL.</summary>
    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> s)
    {
        int nul = s.IndexOf((byte)0);
        return nul >= 0 ? s[..nul] : s;
    }

    /// <summary>
    /// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by the element and the
    /// key read as a string, or, with "->field" after the '*', as a hash field. False when there is no such value
    /// (no '*', a missing key or field, or a key of another type). Each key lookup counts as a keyspace hit or miss.
    /// </summary>
    private static bool TryLookup(CommandContext ctx, ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> element, scoped ref byte[] keyBuffer, out ReadOnlySpan<byte> value)
    {
        value = default;
        ReadOnlySpan<byte> c = CString(pattern);
        if (c.Length == 1 && c[0] == (byte)'#')
        {
            value = element;
            return true;
        }
        int star = c.IndexOf((byte)'*');
        if (star < 0)
        {
            return false;
        }
        int arrow = c[(star + 1)..].IndexOf("->"u8);
        int fieldLength = 0;
        if (arrow >= 0 && star + 1 + arrow + 2 < c.Length)
        {
            arrow += star + 1;
            fieldLength = pattern.Length - arrow - 2;
        }
        int postfixLength = pattern.Length - (star + 1) - (fieldLength > 0 ? fieldLength + 2 : 0);
        int keyLength = star + element.Length + postfixLength;
        if (keyBuffer.Length < keyLength)
        {
            keyBuffer = new byte[Math.Max(keyLength, 64)];
        }
        pattern[..star].CopyTo(keyBuffer);
        element.CopyTo(keyBuffer.AsSpan(star));
        pattern.Slice(star + 1, postfixLength).CopyTo(keyBuffer.AsSpan(star + element.Length));
        ReadOnlySpan<byte> key = keyBuffer.AsSpan(0, keyLength);

        Entry? e = ctx.Db.Find(key, ctx.NowMs);
        if (e == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            return false;
        }
        ctx.Server.Stats.KeyspaceHits++;
        if (fieldLength > 0)
        {
            return e.Value is HashValue hash && hash.TryGet(pattern[^fieldLength..], out value);
        }
        value = e.StringValue;
        return e.IsString;
    }
}
