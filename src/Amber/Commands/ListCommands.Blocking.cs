using Amber.Keyspace;
using Amber.Server;
using Amber.Types;

namespace Amber.Commands;

/// <summary>
/// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. With data at hand they behave as their non-blocking forms; otherwise the
/// client is parked in the <see cref="BlockingRegistry"/> and one of the Serve* functions below replies later,
/// when a key it waits on is created. Inside EXEC they never block: they reply as on a timeout at once.
/// </summary>
internal static partial class ListCommands
{
    private const CommandFlags BlockingWrite = CommandFlags.Write | CommandFlags.NoScript | CommandFlags.Blocking;

    private static void RegisterBlocking(CommandTable t)
    {
        t.Add(Spec("blpop", -3, BlockingWrite, 1, -2, 1, "write list slow blocking", BLPop, "Pops the first element of the first non-empty list, or waits for one.", "2.0.0"));
        t.Add(Spec("brpop", -3, BlockingWrite, 1, -2, 1, "write list slow blocking", BRPop, "Pops the last element of the first non-empty list, or waits for one.", "2.0.0"));
        t.Add(Spec("blmove", 6, BlockingWrite | CommandFlags.DenyOom, 1, 2, 1, "write list slow blocking", BLMove, "Moves an element between lists, waiting for the source to have one.", "6.2.0"));
        t.Add(Spec("brpoplpush", 4, BlockingWrite | CommandFlags.DenyOom, 1, 2, 1, "write list slow blocking", BRPopLPush, "Moves the last element of a list to the head of another, waiting for one.", "2.2.0"));
        t.Add(new("blmpop", -5, CommandFlags.Write | CommandFlags.Blocking | CommandFlags.MovableKeys, 0, 0, 0, "write list slow blocking", BLMPop)
        {
            Group = "list",
            Summary = "Pops elements from the first non-empty list of several, or waits for one.",
            Since = "7.0.0",
            KeyFinder = (args, keys) => FindNumKeys(args, 2, keys),
        });
    }

    private static void BLPop(CommandContext ctx) => BlockingPop(ctx, head: true);

    private static void BRPop(CommandContext ctx) => BlockingPop(ctx, head: false);

    private static void BlockingPop(CommandContext ctx, bool head)
    {
        int timeoutIndex = ctx.ArgCount - 1;
        if (!BlockingTimeout.TryGetDeadline(ctx, timeoutIndex, out long deadline))
        {
            return;
        }
        for (int i = 1; i < timeoutIndex; i++)
        {
            ReadOnlySpan<byte> key = ctx.Arg(i);
            if (!TryGetList(ctx, key, read: false, out QuickList? list))
            {
                return;
            }
            if (list != null)
            {
                ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulkString(key);
                ctx.Reply.WriteBulkString(list.Peek(head));
                RemoveEnd(list, head, 1);
                ElementsRemoved(ctx, ctx.Session.DbIndex, key, list, head, 1);
                if (ctx.Propagating)
                {
                    ctx.PropagateAs(2).Arg(head ? "LPOP"u8 : "RPOP"u8).Arg(key);
                }
                return;
            }
        }
        if (ctx.Session.DenyBlocking)
        {
            ctx.Reply.WriteNullArray();
            return;
        }
        Block(ctx, 1, timeoutIndex - 1, deadline, ServePop, head, toHead: false, target: null, count: -1);
    }

    private static void BLMPop(CommandContext ctx)
    {
        if (!TryParseMPop(ctx, 2, out long numKeys, out bool head, out long count) ||
            !BlockingTimeout.TryGetDeadline(ctx, 1, out long deadline))
        {
            return;
        }
        if (TryMPop(ctx, 3, numKeys, head, count, out bool failed) || failed)
        {
            return;
        }
        if (ctx.Session.DenyBlocking)
        {
            ctx.Reply.WriteNullArray();
            return;
        }
        Block(ctx, 3, (int)numKeys, deadline, ServePop, head, toHead: false, target: null, count);
    }

    private static void BLMove(CommandContext ctx)
    {
        if (TryGetSide(ctx, 3, out bool fromHead) && TryGetSide(ctx, 4, out bool toHead) &&
            BlockingTimeout.TryGetDeadline(ctx, 5, out long deadline))
        {
            if (ctx.Propagating)
            {
                // Used only if it moves now (a blocked BLMOVE changes nothing): LMOVE with the sides as received.
                ctx.PropagateAs(5).Arg("LMOVE"u8).Args(ctx.Args, 1, 4);
            }
            BlockingMove(ctx, fromHead, toHead, deadline);
        }
    }

    private static void BRPopLPush(CommandContext ctx)
    {
        if (BlockingTimeout.TryGetDeadline(ctx, 3, out long deadline))
        {
            if (ctx.Propagating)
            {
                ctx.PropagateAs(3).Arg("RPOPLPUSH"u8).Args(ctx.Args, 1, 2);
            }
            BlockingMove(ctx, fromHead: false, toHead: true, deadline);
        }
    }

    private static void BlockingMove(CommandContext ctx, bool fromHead, bool toHead, long deadline)
    {
        if (!TryGetList(ctx, ctx.Arg(1), read: false, out QuickList? source))
        {
            return;
        }
        if (source != null)
        {
            Move(ctx, fromHead, toHead);
            return;
        }
        if (ctx.Session.DenyBlocking)
        {
            // Unlike a timeout (null array), Redis answers a denied BLMOVE with a null bulk.
            ctx.Reply.WriteNull();
            return;
        }
        Block(ctx, 1, 1, deadline, ServeMove, fromHead, toHead, ctx.Args.ToArray(2), count: -1);
    }

    private static void Block(CommandContext ctx, int firstKey, int keyCount, long deadline, BlockedServe serve, bool fromHead, bool toHead, byte[]? target, long count)
    {
        var keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = ctx.Args.ToArray(firstKey + i);
        }
        ctx.Server.Blocking.Block(new BlockedClient(ctx.Session, ctx.Command, keys, deadline, serve)
        {
            FromHead = fromHead,
            ToHead = toHead,
            Target = target,
            Count = count,
        });
    }

    /// <summary>Serves BLPOP/BRPOP ([key, element]) and BLMPOP ([key, [elements]]) from a key that became ready.</summary>
    private static bool ServePop(BlockedClient client, Database db, byte[] key, long nowMs)
    {
        if (db.Find(key, nowMs)?.Value is not QuickList list)
        {
            return false;
        }
        // As Redis 7.0, a served BLPOP/BRPOP counts no change (the push that woke it did); BLMPOP counts its elements.
        long changes = 0;
        if (client.Count < 0)
        {
            client.Reply.WriteArrayHeader(2);
            client.Reply.WriteBulkString(key);
            client.Reply.WriteBulkString(list.Peek(client.FromHead));
            RemoveEnd(list, client.FromHead, 1);
        }
        else
        {
            changes = WritePopWithKey(client.Reply, list, key, client.FromHead, client.Count);
        }
        ElementsRemoved(client.Session.Context, db.Index, key, list, client.FromHead, changes);
        Propagation.PropagationStream propagation = client.Session.Server.Propagation;
        if (propagation.Active)
        {
            // Served later, the pop propagates in its non-blocking form (BLMPOP with the number popped).
            ReadOnlySpan<byte> name = client.FromHead ? "LPOP"u8 : "RPOP"u8;
            if (client.Count < 0)
            {
                propagation.Also(db.Index, 2).Arg(name).Arg(key);
            }
            else
            {
                propagation.Also(db.Index, 3).Arg(name).Arg(key).Arg(changes);
            }
        }
        return true;
    }

    /// <summary>Serves BLMOVE/BRPOPLPUSH: a destination of another type fails the command without popping, as Redis.</summary>
    private static bool ServeMove(BlockedClient client, Database db, byte[] key, long nowMs)
    {
        if (db.Find(key, nowMs)?.Value is not QuickList source)
        {
            return false;
        }
        byte[] targetKey = client.Target!;
        Entry? target = db.Find(targetKey, nowMs);
        if (target != null && target.Value is not QuickList)
        {
            client.Error(Errors.WrongType);
            return true;
        }
        byte[] value = source.Pop(client.FromHead);
        PushMoved(client.Session.Server.Config.ListMaxListpackSize, db, targetKey, (QuickList?)target?.Value, value, client.ToHead);
        MoveDone(client.Session.Context, db.Index, key, source, client.FromHead, targetKey, client.ToHead, changes: 0);
        Propagation.PropagationStream propagation = client.Session.Server.Propagation;
        if (propagation.Active)
        {
            if (client.Command.Name == "brpoplpush")
            {
                propagation.Also(db.Index, 3).Arg("RPOPLPUSH"u8).Arg(key).Arg(targetKey);
            }
            else
            {
                // Redis spells the sides in lower case here, whatever the client sent.
                propagation.Also(db.Index, 5).Arg("LMOVE"u8).Arg(key).Arg(targetKey)
                    .Arg(client.FromHead ? "left"u8 : "right"u8).Arg(client.ToHead ? "left"u8 : "right"u8);
            }
        }
        client.Reply.WriteBulkString(value);
        return true;
    }
}
