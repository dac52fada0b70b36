using System.Text;
using Amber.Protocol;
using Amber.Text;

namespace Amber.Commands;

/// <summary>COMMAND and its subcommands: what clients (redis-cli, cluster clients) learn about our command table.</summary>
internal static class IntrospectionCommands
{
    private const CommandFlags LS = CommandFlags.Loading | CommandFlags.Stale;
    private const string Cats = "slow connection";
    private static readonly string[] OutputOrder = ["nondeterministic_output_order"];
    private static readonly CommandArg[] CommandNames = [new("command-name", ArgType.String) { Flags = ArgFlags.Optional | ArgFlags.Multiple }];

    public static void Register(CommandTable t)
    {
        t.Add(new("command", -1, LS, 0, 0, 0, Cats, All)
        {
            Group = "server",
            Since = "2.8.13",
            Complexity = "O(N) where N is the total number of Redis commands",
            Summary = "Describes every command of the server.",
            Tips = OutputOrder,
            Subcommands =
            [
                new("count", 2, LS, 0, 0, 0, Cats, Count) { Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Counts the server's commands." },
                new("docs", -2, LS, 0, 0, 0, Cats, Docs)
                {
                    Group = "server", Since = "7.0.0", Tips = OutputOrder,
                    Complexity = "O(N) where N is the number of commands to look up",
                    Summary = "Describes commands for documentation and client hints.",
                    Arguments = CommandNames,
                },
                new("getkeys", -4, LS, 0, 0, 0, Cats, GetKeys)
                {
                    Group = "server", Since = "2.8.13", Complexity = "O(N) where N is the number of arguments to the command",
                    Summary = "Extracts the key names from a full command line.",
                },
                new("getkeysandflags", -4, LS, 0, 0, 0, Cats, GetKeysAndFlags)
                {
                    Group = "server", Since = "7.0.0", Complexity = "O(N) where N is the number of arguments to the command",
                    Summary = "Extracts the key names and their access flags from a full command line.",
                },
                new("help", 2, LS, 0, 0, 0, Cats, Help) { Group = "server", Since = "5.0.0", Complexity = "O(1)", Summary = "Shows the COMMAND subcommands." },
                new("info", -2, LS, 0, 0, 0, Cats, Info)
                {
                    Group = "server", Since = "2.8.13", Tips = OutputOrder,
                    Complexity = "O(N) where N is the number of commands to look up",
                    Summary = "Describes the given commands, or all of them.",
                    Arguments = CommandNames,
                },
                new("list", -2, LS, 0, 0, 0, Cats, List)
                {
                    Group = "server", Since = "7.0.0", Tips = OutputOrder,
                    Complexity = "O(N) where N is the total number of Redis commands",
                    Summary = "Lists command names, optionally filtered by module, ACL category or pattern.",
                    Arguments =
                    [
                        new("filterby", ArgType.OneOf)
                        {
                            Token = "FILTERBY",
                            Flags = ArgFlags.Optional,
                            Arguments =
                            [
                                new("module-name", ArgType.String) { Token = "MODULE" },
                                new("category", ArgType.String) { Token = "ACLCAT" },
                                new("pattern", ArgType.Pattern) { Token = "PATTERN" },
                            ],
                        },
                    ],
                },
            ],
        });
    }

    /// <summary>Finds "name" or "container|sub", as Redis's lookupCommandBySds.</summary>
    internal static CommandSpec? LookupByFullName(CommandTable table, ReadOnlySpan<byte> name)
    {
        int bar = name.IndexOf((byte)'|');
        if (bar < 0)
        {
            return table.Find(name);
        }
        ReadOnlySpan<byte> rest = name[(bar + 1)..];
        if (rest.IndexOf((byte)'|') >= 0)
        {
            return null;
        }
        CommandSpec? parent = table.Find(name[..bar]);
        return parent == null || parent.Subcommands.Length == 0 ? null : CommandTable.FindSubcommand(parent, rest);
    }

    private static void All(CommandContext ctx)
    {
        IReadOnlyList<CommandSpec> all = ctx.Server.Commands.All;
        ctx.Reply.WriteArrayHeader(all.Count);
        foreach (CommandSpec c in all)
        {
            CommandInfoWriter.WriteInfo(ctx.Reply, c);
        }
    }

    private static void Count(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.Commands.All.Count);

    private static void Info(CommandContext ctx)
    {
        if (ctx.ArgCount == 2)
        {
            All(ctx);
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            CommandSpec? c = LookupByFullName(ctx.Server.Commands, ctx.Arg(i));
            if (c == null)
            {
                ctx.Reply.WriteNull();
            }
            else
            {
                CommandInfoWriter.WriteInfo(ctx.Reply, c);
            }
        }
    }

    private static void Docs(CommandContext ctx)
    {
        RespWriter w = ctx.Reply;
        if (ctx.ArgCount == 2)
        {
            IReadOnlyList<CommandSpec> all = ctx.Server.Commands.All;
            w.WriteMapHeader(all.Count);
            foreach (CommandSpec c in all)
            {
                w.WriteBulkString(c.FullName);
                CommandInfoWriter.WriteDocs(w, c);
            }
            return;
        }
        int at = w.BeginDeferredArray();
        int found = 0;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            CommandSpec? c = LookupByFullName(ctx.Server.Commands, ctx.Arg(i));
            if (c == null)
            {
                continue;
            }
            w.WriteBulkString(c.FullName);
            CommandInfoWriter.WriteDocs(w, c);
            found++;
        }
        w.EndDeferredArray(at, found, map: true);
    }

    private static void List(CommandContext ctx)
    {
        Func<CommandSpec, bool> filter;
        if (ctx.ArgCount == 2)
        {
            filter = _ => true;
        }
        else if (ctx.ArgCount == 5 && ctx.ArgIs(2, "filterby"))
        {
            byte[] value = ctx.Args.ToArray(4);
            if (ctx.ArgIs(3, "module"))
            {
                filter = _ => false; // no modules
            }
            else if (ctx.ArgIs(3, "aclcat"))
            {
                string category = Encoding.UTF8.GetString(value).ToLowerInvariant();
                filter = c => Array.IndexOf(c.Categories, category) >= 0;
            }
            else if (ctx.ArgIs(3, "pattern"))
            {
                filter = c => GlobPattern.IsMatch(value, Encoding.ASCII.GetBytes(c.FullName), ignoreCase: true);
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        var names = new List<string>();
        foreach (CommandSpec c in ctx.Server.Commands.All)
        {
            AddMatching(c, filter, names);
        }
        ctx.Reply.WriteArrayHeader(names.Count);
        foreach (string name in names)
        {
            ctx.Reply.WriteBulkString(name);
        }
    }

    private static void AddMatching(CommandSpec c, Func<CommandSpec, bool> filter, List<string> names)
    {
        if (filter(c))
        {
            names.Add(c.FullName);
        }
        foreach (CommandSpec sub in c.Subcommands)
        {
            AddMatching(sub, filter, names);
        }
    }

    private static void GetKeys(CommandContext ctx) => ReplyKeys(ctx, withFlags: false);

    private static void GetKeysAndFlags(CommandContext ctx) => ReplyKeys(ctx, withFlags: true);

    private static void ReplyKeys(CommandContext ctx, bool withFlags)
    {
        int argc = ctx.ArgCount - 2;
        CommandSpec? c = ctx.Server.Commands.Find(ctx.Arg(2));
        if (c != null && argc > 1 && c.Subcommands.Length > 0)
        {
            c = CommandTable.FindSubcommand(c, ctx.Arg(3));
        }
        if (c == null)
        {
            ctx.Error(Errors.InvalidCommandSpecified);
            return;
        }
        if (!CommandInfoWriter.HasKeys(c))
        {
            ctx.Error(Errors.CommandHasNoKeys);
            return;
        }
        if (!c.ArityMatches(argc))
        {
            ctx.Error(Errors.InvalidArgCountForCommand);
            return;
        }
        var args = new ArgList();
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            ArgSlice s = ctx.Args.Slice(i);
            args.Add(s.Buffer, s.Offset, s.Length);
        }
        var keys = new List<(int Position, KeySpecFlags Flags)>();
        if (!CommandInfoWriter.TryGetKeys(c, args, keys))
        {
            if (c.Has(CommandFlags.NoMandatoryKeys))
            {
                ctx.Reply.WriteEmptyArray();
            }
            else
            {
                ctx.Error(Errors.InvalidArgsForCommand);
            }
            return;
        }
        ctx.Reply.WriteArrayHeader(keys.Count);
        foreach ((int position, KeySpecFlags flags) in keys)
        {
            if (withFlags)
            {
                ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulkString(args[position]);
                KeySpec.WriteFlags(ctx.Reply, flags);
            }
            else
            {
                ctx.Reply.WriteBulkString(args[position]);
            }
        }
    }

    private static void Help(CommandContext ctx) => HelpText.Write(ctx.Reply, "COMMAND",
    [
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ]);
}
