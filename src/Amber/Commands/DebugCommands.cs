using System.Globalization;
using Amber.Diagnostics;
using Amber.Keyspace;

namespace Amber.Commands;

/// <summary>
/// DEBUG: test hooks. The command is protected: the executor refuses it unless enable-debug-command allows the
/// client (see <see cref="Server.ProtectedCommands"/>). Subcommands are parsed here, as Redis does (DEBUG has no
/// subcommand table in COMMAND INFO).
/// </summary>
internal static class DebugCommands
{
    public static void Register(CommandTable t)
    {
        t.Add(new("debug", -2, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Protected,
            0, 0, 0, "admin slow dangerous", Debug)
        {
            Group = "server",
            Complexity = "Depends on subcommand.",
            Summary = "Test and inspection hooks for developers.",
            DocFlags = ["syscmd"],
        });
    }

    private static void Debug(CommandContext ctx)
    {
        int argc = ctx.ArgCount;
        if (argc == 2 && ctx.ArgIs(1, "help"))
        {
            Help(ctx);
        }
        else if (argc == 3 && ctx.ArgIs(1, "sleep"))
        {
            double seconds = LeadingDouble(ctx.ArgString(2));
            if (seconds > 0)
            {
                // Under the keyspace lock, like Redis's nanosleep on its only thread: the whole server stops.
                Thread.Sleep(TimeSpan.FromMicroseconds(Math.Min(seconds * 1_000_000, int.MaxValue * 1000.0)));
            }
            ctx.Reply.WriteOk();
        }
        else if (argc == 3 && ctx.ArgIs(1, "object"))
        {
            Entry? e = ctx.Db.FindRaw(ctx.Arg(2));
            if (e == null)
            {
                ctx.Error(Errors.NoSuchKey);
                return;
            }
            ctx.Reply.WriteSimpleString(DebugObjectInfo.Describe(e, ctx.NowMs, ctx.Server.Config.MaxMemory, ctx.Server.Config.MaxMemoryPolicy));
        }
        else if (ctx.ArgIs(1, "loadaof"))
        {
            // Extra arguments are ignored, as Redis.
            DebugLoadAof(ctx);
        }
        else if (ctx.ArgIs(1, "reload"))
        {
            DebugReload.Run(ctx);
        }
        else if (argc == 3 && ctx.ArgIs(1, "set-active-expire"))
        {
            ctx.Server.ActiveExpireEnabled = LeadingInteger(ctx.ArgString(2)) != 0;
            ctx.Reply.WriteOk();
        }
        else if (argc == 2 && ctx.ArgIs(1, "digest"))
        {
            string? digest = DatasetDigest.Compute(ctx.Server.Databases);
            if (digest == null)
            {
                ctx.Error(Errors.DigestUnsupported);
                return;
            }
            ctx.Reply.WriteSimpleString(digest);
        }
        else if (argc >= 2 && ctx.ArgIs(1, "digest-value"))
        {
            var digests = new string[argc - 2];
            for (int i = 2; i < argc; i++)
            {
                // Logically expired keys count too: a debug command must not change the dataset.
                string? digest = DatasetDigest.ComputeValue(ctx.Db.FindRaw(ctx.Arg(i)));
                if (digest == null)
                {
                    ctx.Error(Errors.DigestUnsupported);
                    return;
                }
                digests[i - 2] = digest;
            }
            ctx.Reply.WriteArrayHeader(digests.Length);
            foreach (string digest in digests)
            {
                ctx.Reply.WriteSimpleString(digest);
            }
        }
        else
        {
            ctx.Error(Errors.SubcommandSyntax(ctx.ArgString(1), "debug"));
        }
    }

    /// <summary>
    /// DEBUG LOADAOF: flush the AOF, empty the dataset, load the AOF files back (Persistence/Aof/AofService). Not while
    /// a load runs (DEBUG is allowed while loading; a second load on top of the first would mix them).
    /// </summary>
    private static void DebugLoadAof(CommandContext ctx)
    {
        if (ctx.Server.Loading.Active)
        {
            ctx.Error(Errors.Loading);
            return;
        }
        if (ctx.Server.Aof.LoadForDebug() != null)
        {
            ctx.Error(Errors.DebugLoadAofFailed);
            return;
        }
        ctx.Reply.WriteOk();
    }

    /// <summary>C's strtod on a prefix: "0.5s" is 0.5, "x" is 0.</summary>
    internal static double LeadingDouble(string text)
    {
        int end = 0;
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        int start = i;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }
        bool digits = false;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
            digits = true;
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                digits = true;
            }
        }
        if (digits)
        {
            end = i;
            if (i < text.Length && text[i] is 'e' or 'E')
            {
                int j = i + 1;
                if (j < text.Length && text[j] is '+' or '-')
                {
                    j++;
                }
                int expStart = j;
                while (j < text.Length && char.IsAsciiDigit(text[j]))
                {
                    j++;
                }
                if (j > expStart)
                {
                    end = j;
                }
            }
        }
        return end == 0 ? 0 : double.Parse(text.AsSpan(start, end - start), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>C's atoi: an optional sign and leading digits, 0 when there are none.</summary>
    internal static long LeadingInteger(string text)
    {
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        bool negative = i < text.Length && text[i] == '-';
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }
        long value = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && value < int.MaxValue)
        {
            value = value * 10 + (text[i++] - '0');
        }
        return negative ? -value : value;
    }

    private static void Help(CommandContext ctx) => HelpText.Write(ctx.Reply, "DEBUG",
    [
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
    ]);
}
