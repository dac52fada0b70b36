using System.Text;
using Amber.Keyspace;

namespace Amber.Commands;

/// <summary>OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP: introspection of the value stored at a key.</summary>
internal static class ObjectCommand
{
    /// <summary>The lines of OBJECT HELP between Redis's standard header and footer; clients may parse them, so they match Redis.</summary>
    private static readonly string[] HelpLines =
    [
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ];

    public static void Register(CommandTable t)
    {
        const CommandFlags Read = CommandFlags.ReadOnly;
        const string Cats = "keyspace read slow";
        t.Add(new("object", -2, CommandFlags.None, 0, 0, 0, "slow", Container)
        {
            Since = "2.2.3",
            Summary = "Introspects the value stored at a key.",
            Complexity = "Per subcommand",
            Subcommands =
            [
                new("help", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "keyspace slow", Help) { Since = "6.2.0", Summary = "Lists the OBJECT subcommands.", Complexity = "O(1)" },
                new("freq", 3, Read, 2, 2, 1, Cats, Freq) { Since = "4.0.0", Summary = "Returns a key's logarithmic access counter (LFU policies only).", Complexity = "O(1)" },
                new("idletime", 3, Read, 2, 2, 1, Cats, IdleTime) { Since = "2.2.3", Summary = "Returns the seconds since a key was last accessed.", Complexity = "O(1)" },
                new("encoding", 3, Read, 2, 2, 1, Cats, EncodingOf) { Since = "2.2.3", Summary = "Returns the internal representation of a key's value.", Complexity = "O(1)" },
                new("refcount", 3, Read, 2, 2, 1, Cats, RefCount) { Since = "2.2.3", Summary = "Returns how many references the stored value has.", Complexity = "O(1)" },
            ],
        });
    }

    /// <summary>Reached only if the dispatcher did not resolve a subcommand.</summary>
    private static void Container(CommandContext ctx) =>
        ctx.Error(Errors.SubcommandSyntax(ctx.ArgCount > 1 ? ctx.ArgString(1) : "", ctx.ArgString(0)));

    /// <summary>Redis's HELP layout: a header naming the command, the command's lines, then the HELP entry, as status strings.</summary>
    private static void Help(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(HelpLines.Length + 3);
        ctx.Reply.WriteSimpleString(Encoding.UTF8.GetString(ctx.Arg(0)).ToUpperInvariant() + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string line in HelpLines)
        {
            ctx.Reply.WriteSimpleString(line);
        }
        ctx.Reply.WriteSimpleString("HELP");
        ctx.Reply.WriteSimpleString("    Prints this help.");
    }

    /// <summary>The lookup every subcommand shares: no access is recorded; a missing key is a null reply.</summary>
    private static Entry? Lookup(CommandContext ctx)
    {
        Entry? e = KeyCommands.LookupRead(ctx, ctx.Arg(2), touch: false, notifyMiss: false);
        if (e == null)
        {
            ctx.Reply.WriteNull();
        }
        return e;
    }

    private static void EncodingOf(CommandContext ctx)
    {
        if (Lookup(ctx) is { } e)
        {
            ctx.Reply.WriteBulkString(ValueTypes.EncodingName(e));
        }
    }

    private static void RefCount(CommandContext ctx)
    {
        if (Lookup(ctx) is { } e)
        {
            ctx.Reply.WriteInteger(ValueTypes.RefCount(e, ctx.Server.Config.MaxMemory, ctx.Server.Config.MaxMemoryPolicy));
        }
    }

    private static void IdleTime(CommandContext ctx)
    {
        if (Lookup(ctx) is not { } e)
        {
            return;
        }
        if (AccessTracking.IsLfu(ctx.Server.Config.MaxMemoryPolicy))
        {
            ctx.Error(Errors.LfuSelected);
            return;
        }
        ctx.Reply.WriteInteger(AccessTracking.IdleSeconds(e, AccessTracking.Seconds(ctx.NowMs)));
    }

    private static void Freq(CommandContext ctx)
    {
        if (Lookup(ctx) is not { } e)
        {
            return;
        }
        if (!AccessTracking.IsLfu(ctx.Server.Config.MaxMemoryPolicy))
        {
            ctx.Error(Errors.LfuNotSelected);
            return;
        }
        ctx.Reply.WriteInteger(AccessTracking.DecayedFrequency(e, AccessTracking.Seconds(ctx.NowMs)));
    }
}
