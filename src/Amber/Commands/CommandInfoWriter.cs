using Amber.Protocol;

namespace Amber.Commands;

/// <summary>Writes command metadata in the shapes of Redis 7.0's COMMAND INFO and COMMAND DOCS replies.</summary>
internal static class CommandInfoWriter
{
    /// <summary>Flag names in Redis's order. Protected and the sentinel flags are not shown, as in Redis.</summary>
    private static readonly (CommandFlags Flag, string Name)[] FlagNames =
    [
        (CommandFlags.Write, "write"),
        (CommandFlags.ReadOnly, "readonly"),
        (CommandFlags.DenyOom, "denyoom"),
        (CommandFlags.Admin, "admin"),
        (CommandFlags.PubSub, "pubsub"),
        (CommandFlags.NoScript, "noscript"),
        (CommandFlags.Blocking, "blocking"),
        (CommandFlags.Loading, "loading"),
        (CommandFlags.Stale, "stale"),
        (CommandFlags.SkipMonitor, "skip_monitor"),
        (CommandFlags.SkipSlowlog, "skip_slowlog"),
        (CommandFlags.Fast, "fast"),
        (CommandFlags.NoAuth, "no_auth"),
        (CommandFlags.MayReplicate, "may_replicate"),
        (CommandFlags.NoMandatoryKeys, "no_mandatory_keys"),
        (CommandFlags.NoAsyncLoading, "no_async_loading"),
        (CommandFlags.NoMulti, "no_multi"),
        (CommandFlags.MovableKeys, "movablekeys"),
        (CommandFlags.AllowBusy, "allow_busy"),
    ];

    /// <summary>ACL categories in Redis's order (COMMAND INFO lists a command's categories in this order).</summary>
    public static readonly string[] AclCategories =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];

    public static void WriteFlags(RespWriter w, CommandFlags flags)
    {
        int count = 0;
        foreach ((CommandFlags flag, _) in FlagNames)
        {
            if ((flags & flag) != 0)
            {
                count++;
            }
        }
        w.WriteSetHeader(count);
        foreach ((CommandFlags flag, string name) in FlagNames)
        {
            if ((flags & flag) != 0)
            {
                w.WriteSimpleString(name);
            }
        }
    }

    private static void WriteCategories(RespWriter w, CommandSpec c)
    {
        w.WriteSetHeader(c.Categories.Length);
        foreach (string known in AclCategories)
        {
            if (Array.IndexOf(c.Categories, known) >= 0)
            {
                w.WriteSimpleString("@" + known);
            }
        }
        foreach (string other in c.Categories)
        {
            if (Array.IndexOf(AclCategories, other) < 0)
            {
                w.WriteSimpleString("@" + other);
            }
        }
    }

    /// <summary>One COMMAND INFO entry: name, arity, flags, first, last, step, categories, tips, key specs, subcommands.</summary>
    public static void WriteInfo(RespWriter w, CommandSpec c)
    {
        w.WriteArrayHeader(10);
        w.WriteBulkString(c.FullName);
        w.WriteInteger(c.Arity);
        WriteFlags(w, c.Flags);
        w.WriteInteger(c.FirstKey);
        w.WriteInteger(c.LastKey);
        w.WriteInteger(c.Step);
        WriteCategories(w, c);
        w.WriteSetHeader(c.Tips.Length);
        foreach (string tip in c.Tips)
        {
            w.WriteBulkString(tip);
        }
        KeySpec[] specs = KeySpec.For(c);
        w.WriteSetHeader(specs.Length);
        foreach (KeySpec spec in specs)
        {
            spec.Write(w);
        }
        if (c.Subcommands.Length == 0)
        {
            w.WriteSetHeader(0);
            return;
        }
        w.WriteArrayHeader(c.Subcommands.Length);
        foreach (CommandSpec sub in c.Subcommands)
        {
            WriteInfo(w, sub);
        }
    }

    /// <summary>One COMMAND DOCS value: summary, since, group, complexity, doc_flags, arguments, subcommands (those known).</summary>
    public static void WriteDocs(RespWriter w, CommandSpec c)
    {
        int fields = 2 + (c.Summary.Length > 0 ? 1 : 0) + (c.Complexity.Length > 0 ? 1 : 0) + (c.DocFlags.Length > 0 ? 1 : 0)
            + (c.Arguments.Length > 0 ? 1 : 0) + (c.Subcommands.Length > 0 ? 1 : 0);
        w.WriteMapHeader(fields);
        if (c.Summary.Length > 0)
        {
            w.WriteBulkString("summary");
            w.WriteBulkString(c.Summary);
        }
        w.WriteBulkString("since");
        w.WriteBulkString(c.Since);
        w.WriteBulkString("group");
        w.WriteBulkString(c.Parent?.Group ?? c.Group);
        if (c.Complexity.Length > 0)
        {
            w.WriteBulkString("complexity");
            w.WriteBulkString(c.Complexity);
        }
        if (c.DocFlags.Length > 0)
        {
            w.WriteBulkString("doc_flags");
            w.WriteSetHeader(c.DocFlags.Length);
            foreach (string flag in c.DocFlags)
            {
                w.WriteSimpleString(flag);
            }
        }
        if (c.Arguments.Length > 0)
        {
            w.WriteBulkString("arguments");
            CommandArg.WriteList(w, c.Arguments);
        }
        if (c.Subcommands.Length > 0)
        {
            w.WriteBulkString("subcommands");
            w.WriteMapHeader(c.Subcommands.Length);
            foreach (CommandSpec sub in c.Subcommands)
            {
                w.WriteBulkString(sub.FullName);
                WriteDocs(w, sub);
            }
        }
    }

    /// <summary>
    /// The keys of a full command line (args[0] is the command name), with the flags of the key spec that found each,
    /// as COMMAND GETKEYS does: key specs first, the command's own key finder when specs cannot tell.
    /// Returns false when the arguments do not fit the command's key layout.
    /// </summary>
    public static bool TryGetKeys(CommandSpec c, ArgList args, List<(int Position, KeySpecFlags Flags)> keys)
    {
        KeySpec[] specs = KeySpec.For(c);
        bool variableFlags = false;
        bool anyKeySpec = false;
        foreach (KeySpec s in specs)
        {
            variableFlags |= (s.Flags & KeySpecFlags.VariableFlags) != 0;
            anyKeySpec |= (s.Flags & KeySpecFlags.NotKey) == 0;
        }
        // Derived specs cannot describe a command whose keys move: prefer its key finder then.
        bool preferFinder = c.KeyFinder != null && (c.KeySpecs == null || variableFlags);
        if (anyKeySpec && !preferFinder)
        {
            bool ok = true;
            foreach (KeySpec s in specs)
            {
                if (!s.FindKeys(args, keys))
                {
                    ok = false;
                    break;
                }
            }
            if (ok)
            {
                return keys.Count > 0;
            }
            keys.Clear();
        }
        if (c.KeyFlagsFinder != null)
        {
            return c.KeyFlagsFinder(args, keys) && keys.Count > 0;
        }
        if (c.KeyFinder != null)
        {
            var positions = new List<int>();
            if (!c.KeyFinder(args, positions))
            {
                return false;
            }
            KeySpecFlags flags = specs.Length > 0 ? specs[0].Flags & ~KeySpecFlags.VariableFlags : KeySpecFlags.None;
            foreach (int p in positions)
            {
                keys.Add((p, flags));
            }
            return keys.Count > 0;
        }
        return false;
    }

    /// <summary>Redis's doesCommandHaveKeys: a key finder, or a key spec that names real keys.</summary>
    public static bool HasKeys(CommandSpec c)
    {
        if (c.KeyFinder != null)
        {
            return true;
        }
        foreach (KeySpec s in KeySpec.For(c))
        {
            if ((s.Flags & KeySpecFlags.NotKey) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
