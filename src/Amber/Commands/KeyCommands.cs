using Amber.Keyspace;
using Amber.Notifications;
using Amber.Text;

namespace Amber.Commands;

/// <summary>
/// Generic key commands: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX KEYS RANDOMKEY COPY.
/// Expiry commands, SCAN and OBJECT live in their own files and are registered from here.
/// </summary>
internal static class KeyCommands
{
    public static void Register(CommandTable t)
    {
        t.Add(new("del", -2, CommandFlags.Write, 1, -1, 1, "keyspace write slow", Del) { Summary = "Deletes keys; replies how many existed.", Complexity = "O(N) in the keys and their sizes" });
        t.Add(new("unlink", -2, CommandFlags.Write | CommandFlags.Fast, 1, -1, 1, "keyspace write fast", Del) { Since = "4.0.0", Summary = "Deletes keys, reclaiming memory lazily.", Complexity = "O(1) per key" });
        t.Add(new("exists", -2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, -1, 1, "keyspace read fast", Exists) { Summary = "Counts how many of the given keys exist.", Complexity = "O(N) in the keys" });
        t.Add(new("type", 2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, 1, 1, "keyspace read fast", TypeCommand) { Summary = "Names the data type a key holds.", Complexity = "O(1)" });
        t.Add(new("touch", -2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, -1, 1, "keyspace read fast", Touch) { Since = "3.2.1", Summary = "Marks keys as accessed; replies how many exist.", Complexity = "O(N) in the keys" });
        t.Add(new("rename", 3, CommandFlags.Write, 1, 2, 1, "keyspace write slow", Rename) { Summary = "Gives a key a new name, replacing any key there.", Complexity = "O(1)" });
        t.Add(new("renamenx", 3, CommandFlags.Write | CommandFlags.Fast, 1, 2, 1, "keyspace write fast", RenameNx) { Summary = "Gives a key a new name unless that name is taken.", Complexity = "O(1)" });
        t.Add(new("keys", 2, CommandFlags.ReadOnly, 0, 0, 0, "keyspace read slow dangerous", Keys) { Summary = "Lists every key matching a glob pattern.", Complexity = "O(N) in the keys of the database" });
        t.Add(new("randomkey", 1, CommandFlags.ReadOnly, 0, 0, 0, "keyspace read slow", RandomKey) { Summary = "Returns a key chosen at random.", Complexity = "O(1)" });
        t.Add(new("copy", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, 2, 1, "keyspace write slow", Copy) { Since = "6.2.0", Summary = "Duplicates a key's value under another name, optionally in another database.", Complexity = "O(N) in the size of the value" });
        ExpireCommands.Register(t);
        ScanCommand.Register(t);
        ObjectCommand.Register(t);
        RestoreCommand.Register(t);
    }

    /// <summary>
    /// A read lookup that counts keyspace hits and misses, as Redis's lookupKeyRead does, and reports a miss as a
    /// "keymiss" notification unless <paramref name="notifyMiss"/> is false (Redis's LOOKUP_NONOTIFY: OBJECT, SCAN).
    /// </summary>
    internal static Entry? LookupRead(CommandContext ctx, ReadOnlySpan<byte> key, bool touch = true, bool notifyMiss = true)
    {
        Entry? e = touch ? ctx.Db.Find(key, ctx.NowMs) : ctx.Db.Peek(key, ctx.NowMs);
        if (e == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            if (notifyMiss)
            {
                ctx.KeyMissed(key);
            }
        }
        else
        {
            ctx.Server.Stats.KeyspaceHits++;
        }
        return e;
    }

    /// <summary>Whether the entry's time has passed (it is then logically absent even before it is reclaimed).</summary>
    internal static bool IsExpired(CommandContext ctx, Entry e) =>
        e.ExpireAtMs != Entry.NoExpiry && e.ExpireAtMs <= ctx.NowMs && !ctx.Server.Events.SuppressExpiry;

    /// <summary>Carries what belongs to the stored object, not to the key name, over to a new entry (RENAME, MOVE).</summary>
    internal static void CarryObjectState(Entry from, Entry to)
    {
        to.LastAccessSeconds = from.LastAccessSeconds;
        to.Frequency = from.Frequency;
        to.ForceRawEncoding = from.ForceRawEncoding;
    }

    private static void Del(CommandContext ctx)
    {
        Database db = ctx.Db;
        long deleted = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            // Peek first so an expired key is reclaimed as an expiry (expired_keys), not counted as deleted.
            if (db.Peek(ctx.Arg(i), ctx.NowMs) != null && db.Delete(ctx.Arg(i)))
            {
                ctx.KeyWritten(ctx.Arg(i), NotifyFlags.Generic, "del");
                deleted++;
            }
        }
        ctx.Reply.WriteInteger(deleted);
    }

    private static void Exists(CommandContext ctx)
    {
        long count = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            if (LookupRead(ctx, ctx.Arg(i), touch: false) != null)
            {
                count++;
            }
        }
        ctx.Reply.WriteInteger(count);
    }

    private static void TypeCommand(CommandContext ctx)
    {
        Entry? e = LookupRead(ctx, ctx.Arg(1), touch: false);
        ctx.Reply.WriteSimpleString(ValueTypes.TypeName(e));
    }

    private static void Touch(CommandContext ctx)
    {
        long count = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            if (LookupRead(ctx, ctx.Arg(i)) != null)
            {
                count++;
            }
        }
        ctx.Reply.WriteInteger(count);
    }

    private static void Rename(CommandContext ctx) => RenameGeneric(ctx, nx: false);

    private static void RenameNx(CommandContext ctx) => RenameGeneric(ctx, nx: true);

    private static void RenameGeneric(CommandContext ctx, bool nx)
    {
        Database db = ctx.Db;
        ReadOnlySpan<byte> key = ctx.Arg(1);
        ReadOnlySpan<byte> newKey = ctx.Arg(2);
        Entry? source = db.Find(key, ctx.NowMs);
        if (source == null)
        {
            ctx.Error(Errors.NoSuchKey);
            return;
        }
        if (key.SequenceEqual(newKey))
        {
            WriteRenameResult(ctx, nx, renamed: false);
            return;
        }
        if (db.Find(newKey, ctx.NowMs) != null)
        {
            if (nx)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            db.Delete(newKey);
        }
        Entry target = db.AddValueOf(newKey, source);
        CarryObjectState(source, target);
        if (source.HasExpiry)
        {
            db.SetExpiry(target, source.ExpireAtMs);
        }
        db.Delete(key);
        ctx.KeyWritten(key, NotifyFlags.Generic, "rename_from");
        ctx.KeyWritten(newKey, NotifyFlags.Generic, "rename_to", changes: 0);
        WriteRenameResult(ctx, nx, renamed: true);
    }

    private static void WriteRenameResult(CommandContext ctx, bool nx, bool renamed)
    {
        if (nx)
        {
            ctx.Reply.WriteInteger(renamed ? 1 : 0);
        }
        else
        {
            ctx.Reply.WriteOk();
        }
    }

    private static void Keys(CommandContext ctx)
    {
        ReadOnlySpan<byte> pattern = ctx.Arg(1);
        bool all = GlobPattern.MatchesAll(pattern);
        int header = ctx.Reply.BeginDeferredArray();
        long count = 0;
        // Expired keys are skipped but not reclaimed here, as Redis does (KEYS must not change the dataset).
        foreach (Entry e in ctx.Db.Table.All())
        {
            if ((all || GlobPattern.IsMatch(pattern, e.Key)) && !IsExpired(ctx, e))
            {
                ctx.Reply.WriteBulkString(e.Key);
                count++;
            }
        }
        ctx.Reply.EndDeferredArray(header, count);
    }

    private static void RandomKey(CommandContext ctx)
    {
        Database db = ctx.Db;
        bool allVolatile = db.Count == db.VolatileCount;
        int triesLeft = 100;
        while (true)
        {
            Entry? e = db.RandomEntry(ctx.Server.Random);
            if (e == null)
            {
                ctx.Reply.WriteNull();
                return;
            }
            if (e.HasExpiry && e.ExpireAtMs <= ctx.NowMs)
            {
                if (ctx.Server.Events.SuppressExpiry)
                {
                    // Keys are not reclaimed while loading or on a replica: if every key may be logically expired,
                    // give up after a few tries rather than loop forever (Redis does the same).
                    if (allVolatile && --triesLeft == 0)
                    {
                        ctx.Reply.WriteBulkString(e.Key);
                        return;
                    }
                    continue;
                }
                db.Peek(e.Key, ctx.NowMs);
                continue;
            }
            ctx.Reply.WriteBulkString(e.Key);
            return;
        }
    }

    private static void Copy(CommandContext ctx)
    {
        Database source = ctx.Db;
        Database destination = source;
        bool replace = false;
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "replace"))
            {
                replace = true;
            }
            else if (ctx.ArgIs(i, "db") && i + 1 < ctx.ArgCount)
            {
                if (!DatabaseCommands.TryGetDbIndex(ctx, i + 1, out int index, null))
                {
                    return;
                }
                if (index < 0 || index >= ctx.Server.Databases.Length)
                {
                    ctx.Error(Errors.InvalidDbIndex);
                    return;
                }
                destination = ctx.Server.Databases[index];
                i++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        ReadOnlySpan<byte> key = ctx.Arg(1);
        ReadOnlySpan<byte> newKey = ctx.Arg(2);
        if (source == destination && key.SequenceEqual(newKey))
        {
            ctx.Error(Errors.SameObject);
            return;
        }
        Entry? e = LookupRead(ctx, key);
        if (e == null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (destination.Find(newKey, ctx.NowMs) != null)
        {
            if (!replace)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            destination.Delete(newKey);
        }
        Entry copy = e.Value is ITypedValue typed ? destination.Add(newKey, typed.Clone()) : destination.AddString(newKey, e.StringValue);
        copy.ForceRawEncoding = e.ForceRawEncoding;
        if (e.HasExpiry)
        {
            destination.SetExpiry(copy, e.ExpireAtMs);
        }
        ctx.KeyWrittenIn(destination.Index, newKey, NotifyFlags.Generic, "copy_to");
        ctx.Reply.WriteInteger(1);
    }
}
