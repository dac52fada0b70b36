using Amber.Keyspace;
using Amber.Notifications;
using Amber.Protocol;
using Amber.Types;

namespace Amber.Commands;

/// <summary>
/// The list commands. Values are <see cref="QuickList"/>s; a list that becomes empty is deleted.
/// The blocking variants are in ListCommands.Blocking.cs.
/// </summary>
internal static partial class ListCommands
{
    private const CommandFlags WriteFast = CommandFlags.Write | CommandFlags.Fast;
    private const CommandFlags WriteOom = CommandFlags.Write | CommandFlags.DenyOom;

    public static void Register(CommandTable t)
    {
        t.Add(Spec("lpush", -3, WriteOom | CommandFlags.Fast, 1, 1, 1, "write list fast", LPush, "Prepends elements to a list, creating it if needed.", "1.0.0"));
        t.Add(Spec("rpush", -3, WriteOom | CommandFlags.Fast, 1, 1, 1, "write list fast", RPush, "Appends elements to a list, creating it if needed.", "1.0.0"));
        t.Add(Spec("lpushx", -3, WriteOom | CommandFlags.Fast, 1, 1, 1, "write list fast", LPushX, "Prepends elements to a list only if it exists.", "2.2.0"));
        t.Add(Spec("rpushx", -3, WriteOom | CommandFlags.Fast, 1, 1, 1, "write list fast", RPushX, "Appends elements to a list only if it exists.", "2.2.0"));
        t.Add(Spec("lpop", -2, WriteFast, 1, 1, 1, "write list fast", LPop, "Removes and returns the first elements of a list.", "1.0.0"));
        t.Add(Spec("rpop", -2, WriteFast, 1, 1, 1, "write list fast", RPop, "Removes and returns the last elements of a list.", "1.0.0"));
        t.Add(Spec("llen", 2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, 1, 1, "read list fast", LLen, "Returns the number of elements in a list.", "1.0.0"));
        t.Add(Spec("lrange", 4, CommandFlags.ReadOnly, 1, 1, 1, "read list slow", LRange, "Returns a range of elements of a list.", "1.0.0"));
        t.Add(Spec("lindex", 3, CommandFlags.ReadOnly, 1, 1, 1, "read list slow", LIndex, "Returns the element at an index of a list.", "1.0.0"));
        t.Add(Spec("lset", 4, WriteOom, 1, 1, 1, "write list slow", LSet, "Replaces the element at an index of a list.", "1.0.0"));
        t.Add(Spec("lrem", 4, CommandFlags.Write, 1, 1, 1, "write list slow", LRem, "Removes elements equal to a value from a list.", "1.0.0"));
        t.Add(Spec("ltrim", 4, CommandFlags.Write, 1, 1, 1, "write list slow", LTrim, "Keeps only a range of a list's elements.", "1.0.0"));
        t.Add(Spec("linsert", 5, WriteOom, 1, 1, 1, "write list slow", LInsert, "Inserts an element before or after another one in a list.", "2.2.0"));
        t.Add(Spec("lpos", -3, CommandFlags.ReadOnly, 1, 1, 1, "read list slow", LPos, "Returns the positions of elements equal to a value in a list.", "6.0.6"));
        t.Add(Spec("lmove", 5, WriteOom, 1, 2, 1, "write list slow", LMove, "Pops an element from one list and pushes it onto another.", "6.2.0"));
        t.Add(Spec("rpoplpush", 3, WriteOom, 1, 2, 1, "write list slow", RPopLPush, "Pops the last element of a list and prepends it to another.", "1.2.0"));
        t.Add(new("lmpop", -4, CommandFlags.Write | CommandFlags.MovableKeys, 0, 0, 0, "write list slow", LMPop)
        {
            Group = "list",
            Summary = "Pops elements from the first non-empty list of several.",
            Since = "7.0.0",
            KeyFinder = (args, keys) => FindNumKeys(args, 1, keys),
        });
        RegisterBlocking(t);
    }

    private static CommandSpec Spec(string name, int arity, CommandFlags flags, int first, int last, int step, string categories, CommandHandler handler, string summary, string since) =>
        new(name, arity, flags, first, last, step, categories, handler) { Group = "list", Summary = summary, Since = since };

    /// <summary>Key positions of LMPOP/BLMPOP: numkeys at <paramref name="numKeysIndex"/>, then the keys.</summary>
    private static bool FindNumKeys(ArgList args, int numKeysIndex, List<int> keys)
    {
        if (numKeysIndex >= args.Count || !CommandContext.TryParseLong(args[numKeysIndex], out long n) || n < 1 || n > args.Count - numKeysIndex - 1)
        {
            return false;
        }
        for (int i = 0; i < n; i++)
        {
            keys.Add(numKeysIndex + 1 + i);
        }
        return true;
    }

    /// <summary>
    /// Looks up a list. Returns false (after replying WRONGTYPE) when the key holds another type; list is null when
    /// the key is absent. Reads count keyspace hits/misses; writes do not (as Redis's lookupKeyWrite).
    /// </summary>
    internal static bool TryGetList(CommandContext ctx, ReadOnlySpan<byte> key, bool read, out QuickList? list)
    {
        Entry? entry = ctx.Db.Find(key, ctx.NowMs);
        list = null;
        if (entry == null)
        {
            if (read)
            {
                ctx.Server.Stats.KeyspaceMisses++;
                ctx.KeyMissed(key);
            }
            return true;
        }
        if (read)
        {
            ctx.Server.Stats.KeyspaceHits++;
        }
        if (entry.Value is QuickList l)
        {
            list = l;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    private static QuickList NewList(CommandContext ctx) => new(ctx.Server.Config.ListMaxListpackSize);

    /// <summary>"left" or "right" (LMOVE, LMPOP ...); replies with a syntax error otherwise.</summary>
    private static bool TryGetSide(CommandContext ctx, int index, out bool head)
    {
        head = ctx.ArgIs(index, "left");
        if (head || ctx.ArgIs(index, "right"))
        {
            return true;
        }
        ctx.SyntaxError();
        return false;
    }

    /// <summary>Redis's getPositiveLongFromObjectOrReply: an integer ≥ 0, else the given error.</summary>
    private static bool TryGetNonNegative(CommandContext ctx, int index, out long value, string error)
    {
        if (CommandContext.TryParseLong(ctx.Arg(index), out value) && value >= 0)
        {
            return true;
        }
        ctx.Error(error);
        return false;
    }

    /// <summary>Redis's getRangeLongFromObjectOrReply(1, LONG_MAX): an integer ≥ 1, else the given error.</summary>
    private static bool TryGetPositive(CommandContext ctx, int index, out long value, string error)
    {
        if (CommandContext.TryParseLong(ctx.Arg(index), out value) && value >= 1)
        {
            return true;
        }
        ctx.Error(error);
        return false;
    }

    private static void LPush(CommandContext ctx) => Push(ctx, head: true, onlyIfExists: false);

    private static void RPush(CommandContext ctx) => Push(ctx, head: false, onlyIfExists: false);

    private static void LPushX(CommandContext ctx) => Push(ctx, head: true, onlyIfExists: true);

    private static void RPushX(CommandContext ctx) => Push(ctx, head: false, onlyIfExists: true);

    private static void Push(CommandContext ctx, bool head, bool onlyIfExists)
    {
        if (!TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? list))
        {
            return;
        }
        bool created = false;
        if (list == null)
        {
            if (onlyIfExists)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            list = NewList(ctx);
            created = true;
        }
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            list.Push(ctx.Arg(i), head);
        }
        if (created)
        {
            ctx.Db.Add(ctx.Args.ToArray(1), list);
        }
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.List, head ? "lpush" : "rpush", ctx.ArgCount - 2);
        ctx.Reply.WriteInteger(list.Count);
    }

    private static void LPop(CommandContext ctx) => Pop(ctx, head: true);

    private static void RPop(CommandContext ctx) => Pop(ctx, head: false);

    private static void Pop(CommandContext ctx, bool head)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.WrongArgs();
            return;
        }
        bool hasCount = ctx.ArgCount == 3;
        long count = 0;
        if (hasCount && !TryGetNonNegative(ctx, 2, out count, Errors.MustBePositive))
        {
            return;
        }
        if (!TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            if (hasCount)
            {
                ctx.Reply.WriteNullArray();
            }
            else
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        if (hasCount && count == 0)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        long removed = 1;
        if (!hasCount)
        {
            ctx.Reply.WriteBulkString(list.Peek(head));
            RemoveEnd(list, head, 1);
        }
        else
        {
            removed = Math.Min(count, list.Count);
            ctx.Reply.WriteArrayHeader(removed);
            WriteEnd(ctx.Reply, list, head, removed);
            RemoveEnd(list, head, removed);
        }
        ElementsRemoved(ctx, ctx.Session.DbIndex, ctx.Arg(1), list, head, removed);
    }

    /// <summary>
    /// Redis's listElementsRemoved: after popping <paramref name="count"/> elements, deletes the list if it is empty and
    /// reports the change ("lpop"/"rpop", then "del" when deleted). <paramref name="ctx"/> may be a blocked client's.
    /// </summary>
    internal static void ElementsRemoved(CommandContext ctx, int dbIndex, ReadOnlySpan<byte> key, QuickList list, bool head, long count)
    {
        bool deleted = list.Count == 0 && ctx.Server.Databases[dbIndex].Delete(key);
        ctx.KeyWrittenIn(dbIndex, key, NotifyFlags.List, head ? "lpop" : "rpop", count);
        if (deleted)
        {
            ctx.Server.Effects.Notify(NotifyFlags.Generic, "del", key, dbIndex);
        }
    }

    /// <summary>Writes the first (head) or last n elements, in popping order (the tail's last element first).</summary>
    internal static void WriteEnd(RespWriter reply, QuickList list, bool head, long n)
    {
        if (head)
        {
            ListCursor c = list.HeadCursor();
            for (long i = 0; i < n && list.Next(ref c, out ReadOnlySpan<byte> v); i++)
            {
                reply.WriteBulkString(v);
            }
        }
        else
        {
            ListCursor c = list.TailCursor();
            for (long i = 0; i < n && list.Previous(ref c, out ReadOnlySpan<byte> v); i++)
            {
                reply.WriteBulkString(v);
            }
        }
    }

    internal static void RemoveEnd(QuickList list, bool head, long n)
    {
        if (head)
        {
            list.RemoveHead(n);
        }
        else
        {
            list.RemoveTail(n);
        }
    }

    private static void LLen(CommandContext ctx)
    {
        if (TryGetList(ctx, ctx.Arg(1), read: true, out QuickList? list))
        {
            ctx.Reply.WriteInteger(list?.Count ?? 0);
        }
    }

    /// <summary>Redis's index convention for LRANGE/LTRIM: negatives count from the tail, a start before the head is 0.</summary>
    private static void NormalizeRange(ref long start, ref long end, long length)
    {
        if (start < 0)
        {
            start += length;
        }
        if (end < 0)
        {
            end += length;
        }
        if (start < 0)
        {
            start = 0;
        }
    }

    private static void LRange(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end) ||
            !TryGetList(ctx, ctx.Arg(1), read: true, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        long length = list.Count;
        NormalizeRange(ref start, ref end, length);
        if (start > end || start >= length)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        if (end >= length)
        {
            end = length - 1;
        }
        long n = end - start + 1;
        ctx.Reply.WriteArrayHeader(n);
        ListCursor c = list.Seek(start);
        for (long i = 0; i < n && list.Next(ref c, out ReadOnlySpan<byte> v); i++)
        {
            ctx.Reply.WriteBulkString(v);
        }
    }

    private static void LIndex(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Arg(1), read: true, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (!ctx.TryGetLong(2, out long index))
        {
            return;
        }
        if (index < 0)
        {
            index += list.Count;
        }
        if (index < 0 || index >= list.Count)
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Reply.WriteBulkString(list.Get(list.Seek(index)));
    }

    private static void LSet(CommandContext ctx)
    {
        if (!TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            ctx.Error(Errors.NoSuchKey);
            return;
        }
        if (!ctx.TryGetLong(2, out long index))
        {
            return;
        }
        if (index < 0)
        {
            index += list.Count;
        }
        if (index < 0 || index >= list.Count)
        {
            ctx.Error(Errors.OutOfRange);
            return;
        }
        list.Set(list.Seek(index), ctx.Arg(3));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.List, "lset");
        ctx.Reply.WriteOk();
    }

    private static void LRem(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long count) || !TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        long removed = list.RemoveMatches(ctx.Arg(3), count);
        if (removed > 0)
        {
            bool deleted = list.Count == 0 && ctx.Db.Delete(ctx.Arg(1));
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.List, "lrem", removed);
            if (deleted)
            {
                ctx.KeyEvent(ctx.Arg(1), NotifyFlags.Generic, "del");
            }
        }
        ctx.Reply.WriteInteger(removed);
    }

    private static void LTrim(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end) ||
            !TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            ctx.Reply.WriteOk();
            return;
        }
        long length = list.Count;
        NormalizeRange(ref start, ref end, length);
        long removeHead, removeTail;
        if (start > end || start >= length)
        {
            removeHead = length;
            removeTail = 0;
        }
        else
        {
            if (end >= length)
            {
                end = length - 1;
            }
            removeHead = start;
            removeTail = length - end - 1;
        }
        list.RemoveHead(removeHead);
        list.RemoveTail(removeTail);
        // Redis reports "ltrim" (and counts the removed elements) even when nothing was trimmed.
        bool deleted = list.Count == 0 && ctx.Db.Delete(ctx.Arg(1));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.List, "ltrim", removeHead + removeTail);
        if (deleted)
        {
            ctx.KeyEvent(ctx.Arg(1), NotifyFlags.Generic, "del");
        }
        ctx.Reply.WriteOk();
    }

    private static void LInsert(CommandContext ctx)
    {
        bool after;
        if (ctx.ArgIs(2, "after"))
        {
            after = true;
        }
        else if (ctx.ArgIs(2, "before"))
        {
            after = false;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        if (!TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ReadOnlySpan<byte> pivot = ctx.Arg(3);
        ListCursor c = list.HeadCursor();
        while (true)
        {
            ListCursor at = c;
            if (!list.Next(ref c, out ReadOnlySpan<byte> v))
            {
                ctx.Reply.WriteInteger(-1);
                return;
            }
            if (v.SequenceEqual(pivot))
            {
                list.Insert(at, after, ctx.Arg(4));
                ctx.KeyWritten(ctx.Arg(1), NotifyFlags.List, "linsert");
                ctx.Reply.WriteInteger(list.Count);
                return;
            }
        }
    }

    private static void LPos(CommandContext ctx)
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int j = 3; j < ctx.ArgCount; j++)
        {
            bool moreArgs = j + 1 < ctx.ArgCount;
            if (ctx.ArgIs(j, "rank") && moreArgs)
            {
                j++;
                if (!ctx.TryGetLong(j, out rank))
                {
                    return;
                }
                if (rank == 0)
                {
                    ctx.Error(Errors.LposRankZero);
                    return;
                }
            }
            else if (ctx.ArgIs(j, "count") && moreArgs)
            {
                j++;
                if (!TryGetNonNegative(ctx, j, out count, Errors.LposCountNegative))
                {
                    return;
                }
            }
            else if (ctx.ArgIs(j, "maxlen") && moreArgs)
            {
                j++;
                if (!TryGetNonNegative(ctx, j, out maxLen, Errors.LposMaxLenNegative))
                {
                    return;
                }
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        bool fromTail = rank < 0;
        if (fromTail)
        {
            // As Redis: LONG_MIN stays negative, so every match then qualifies.
            rank = unchecked(-rank);
        }
        if (!TryGetList(ctx, ctx.Arg(1), read: true, out QuickList? list))
        {
            return;
        }
        if (list == null)
        {
            if (count != -1)
            {
                ctx.Reply.WriteEmptyArray();
            }
            else
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        ReadOnlySpan<byte> element = ctx.Arg(2);
        long length = list.Count;
        int deferred = count != -1 ? ctx.Reply.BeginDeferredArray() : -1;
        long index = 0, matches = 0, found = 0, matchIndex = -1;
        ListCursor c = fromTail ? list.TailCursor() : list.HeadCursor();
        while ((maxLen == 0 || index < maxLen) && (fromTail ? list.Previous(ref c, out ReadOnlySpan<byte> v) : list.Next(ref c, out v)))
        {
            if (v.SequenceEqual(element))
            {
                matches++;
                if (matches >= rank)
                {
                    if (deferred >= 0)
                    {
                        found++;
                        ctx.Reply.WriteInteger(fromTail ? length - index - 1 : index);
                        if (count != 0 && unchecked(matches - rank + 1) >= count)
                        {
                            break;
                        }
                    }
                    else
                    {
                        matchIndex = index;
                        break;
                    }
                }
            }
            index++;
        }
        if (deferred >= 0)
        {
            ctx.Reply.EndDeferredArray(deferred, found);
        }
        else if (matchIndex != -1)
        {
            ctx.Reply.WriteInteger(fromTail ? length - matchIndex - 1 : matchIndex);
        }
        else
        {
            ctx.Reply.WriteNull();
        }
    }

    private static void LMove(CommandContext ctx)
    {
        if (TryGetSide(ctx, 3, out bool fromHead) && TryGetSide(ctx, 4, out bool toHead))
        {
            Move(ctx, fromHead, toHead);
        }
    }

    private static void RPopLPush(CommandContext ctx) => Move(ctx, fromHead: false, toHead: true);

    /// <summary>LMOVE source destination: pops from args[1] and pushes onto args[2], replying with the element.</summary>
    private static void Move(CommandContext ctx, bool fromHead, bool toHead)
    {
        if (!TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? source))
        {
            return;
        }
        if (source == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (!TryGetList(ctx, ctx.Arg(2), read: false, out QuickList? destination))
        {
            return;
        }
        byte[] value = source.Pop(fromHead);
        PushMoved(ctx.Server.Config.ListMaxListpackSize, ctx.Db, ctx.Arg(2), destination, value, toHead);
        MoveDone(ctx, ctx.Session.DbIndex, ctx.Arg(1), source, fromHead, ctx.Arg(2), toHead, changes: 1);
        ctx.Reply.WriteBulkString(value);
    }

    /// <summary>
    /// Reports an LMOVE as Redis does: the push on the destination ("lpush"/"rpush"), then the pop on the source
    /// ("lpop"/"rpop", and "del" when it became empty, which deletes it). <paramref name="ctx"/> may be a blocked client's.
    /// </summary>
    internal static void MoveDone(CommandContext ctx, int dbIndex, ReadOnlySpan<byte> sourceKey, QuickList source, bool fromHead, ReadOnlySpan<byte> destinationKey, bool toHead, long changes)
    {
        ctx.KeyWrittenIn(dbIndex, destinationKey, NotifyFlags.List, toHead ? "lpush" : "rpush", changes: 0);
        ElementsRemoved(ctx, dbIndex, sourceKey, source, fromHead, changes);
    }

    /// <summary>The push half of a move: onto the destination list, created when absent.</summary>
    internal static void PushMoved(int fill, Database db, ReadOnlySpan<byte> key, QuickList? destination, byte[] value, bool toHead)
    {
        if (destination != null)
        {
            destination.Push(value, toHead);
            return;
        }
        var created = new QuickList(fill);
        created.Push(value, toHead);
        db.Add(key.ToArray(), created);
    }

    private static void LMPop(CommandContext ctx)
    {
        if (TryParseMPop(ctx, 1, out long numKeys, out bool head, out long count))
        {
            MPop(ctx, 2, numKeys, head, count);
        }
    }

    /// <summary>Parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at numkeys' index (LMPOP 1, BLMPOP 2).</summary>
    private static bool TryParseMPop(CommandContext ctx, int numKeysIndex, out long numKeys, out bool head, out long count)
    {
        head = false;
        count = -1;
        if (!TryGetPositive(ctx, numKeysIndex, out numKeys, Errors.NumKeysNotPositive))
        {
            return false;
        }
        if (numKeys > ctx.ArgCount - numKeysIndex - 2)
        {
            ctx.SyntaxError();
            return false;
        }
        int whereIndex = numKeysIndex + (int)numKeys + 1;
        if (!TryGetSide(ctx, whereIndex, out head))
        {
            return false;
        }
        for (int j = whereIndex + 1; j < ctx.ArgCount; j++)
        {
            if (count == -1 && ctx.ArgIs(j, "count") && j + 1 < ctx.ArgCount)
            {
                j++;
                if (!TryGetPositive(ctx, j, out count, Errors.CountNotPositive))
                {
                    return false;
                }
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        if (count == -1)
        {
            count = 1;
        }
        return true;
    }

    /// <summary>Pops up to count elements from the first non-empty list; false when all were absent (nothing written).</summary>
    private static bool TryMPop(CommandContext ctx, int firstKey, long numKeys, bool head, long count, out bool failed)
    {
        failed = false;
        for (int i = 0; i < numKeys; i++)
        {
            ReadOnlySpan<byte> key = ctx.Arg(firstKey + i);
            if (!TryGetList(ctx, key, read: false, out QuickList? list))
            {
                failed = true;
                return false;
            }
            if (list == null)
            {
                continue;
            }
            long removed = WritePopWithKey(ctx.Reply, list, key, head, count);
            ElementsRemoved(ctx, ctx.Session.DbIndex, key, list, head, removed);
            if (ctx.Propagating)
            {
                // LMPOP and BLMPOP propagate as LPOP/RPOP key with the number actually popped.
                ctx.PropagateAs(3).Arg(head ? "LPOP"u8 : "RPOP"u8).Arg(key).Arg(removed);
            }
            return true;
        }
        return false;
    }

    /// <summary>The LMPOP reply: [key, [elements...]], popping them. Returns how many were popped.</summary>
    internal static long WritePopWithKey(RespWriter reply, QuickList list, ReadOnlySpan<byte> key, bool head, long count)
    {
        long n = Math.Min(count, list.Count);
        reply.WriteArrayHeader(2);
        reply.WriteBulkString(key);
        reply.WriteArrayHeader(n);
        WriteEnd(reply, list, head, n);
        RemoveEnd(list, head, n);
        return n;
    }

    private static void MPop(CommandContext ctx, int firstKey, long numKeys, bool head, long count)
    {
        if (!TryMPop(ctx, firstKey, numKeys, head, count, out bool failed) && !failed)
        {
            ctx.Reply.WriteNullArray();
        }
    }
}
