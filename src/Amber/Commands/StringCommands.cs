using Amber.Keyspace;

namespace Amber.Commands;

/// <summary>The string commands. Values are stored as their raw bytes.</summary>
internal static class StringCommands
{
    public static void Register(CommandTable t)
    {
        t.Add(new("get", 2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, 1, 1, "read string fast", Get) { Group = "string", Summary = "Returns the string value of a key." });
        t.Add(new("set", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, 1, 1, "write string slow", Set) { Group = "string", Summary = "Sets the string value of a key, optionally with an expiry." });
    }

    /// <summary>Looks up a string; writes WRONGTYPE and returns false if the key holds another type.</summary>
    internal static bool TryGetString(CommandContext ctx, ReadOnlySpan<byte> key, out Entry? entry, out byte[]? value)
    {
        entry = ctx.Db.Find(key, ctx.NowMs);
        value = null;
        if (entry == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            return true;
        }
        ctx.Server.Stats.KeyspaceHits++;
        if (entry.Value is byte[] bytes)
        {
            value = bytes;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    private static void Get(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), out _, out byte[]? value))
        {
            return;
        }
        if (value == null)
        {
            ctx.Reply.WriteNull();
        }
        else
        {
            ctx.Reply.WriteBulkString(value);
        }
    }

    private static void Set(CommandContext ctx)
    {
        // Options (EX PX EXAT PXAT NX XX KEEPTTL GET) are parsed in SetOptions.
        if (ctx.ArgCount != 3)
        {
            ctx.SyntaxError();
            return;
        }
        ctx.Db.Set(ctx.Arg(1), ctx.Args.ToArray(2), ctx.NowMs);
        ctx.Reply.WriteOk();
    }
}
