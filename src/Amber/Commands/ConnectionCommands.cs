using Amber.Server;

namespace Amber.Commands;

/// <summary>PING ECHO QUIT SELECT AUTH HELLO RESET.</summary>
internal static class ConnectionCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags Conn = CommandFlags.Fast | CommandFlags.Loading | CommandFlags.Stale;
        // Unlike its neighbours, PING is neither loading nor stale in Redis 7.0 (COMMAND INFO ping).
        t.Add(new("ping", -1, CommandFlags.Fast, 0, 0, 0, "fast connection", Ping)
        {
            Group = "connection",
            Summary = "Returns PONG, or the given message.",
            Tips = ["request_policy:all_shards", "response_policy:all_succeeded"],
        });
        t.Add(new("echo", 2, Conn, 0, 0, 0, "fast connection", Echo) { Group = "connection", Summary = "Returns the given string." });
        t.Add(new("quit", -1, Conn | CommandFlags.NoAuth | CommandFlags.AllowBusy | CommandFlags.NoScript, 0, 0, 0, "fast connection", Quit) { Group = "connection", Summary = "Closes the connection." });
        t.Add(new("select", 2, Conn, 0, 0, 0, "fast connection", Select) { Group = "connection", Summary = "Changes the selected database." });
    }

    private static void Ping(CommandContext ctx)
    {
        if (ctx.ArgCount > 2)
        {
            ctx.WrongArgs();
            return;
        }
        if (ctx.Session.IsPubSub && ctx.Session.Protocol == 2)
        {
            // A RESP2 subscriber's connection carries arrays: PING answers in that shape, as Redis does.
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulkString("pong"u8);
            ctx.Reply.WriteBulkString(ctx.ArgCount == 2 ? ctx.Arg(1) : default);
            return;
        }
        if (ctx.ArgCount == 2)
        {
            ctx.Reply.WriteBulkString(ctx.Arg(1));
        }
        else
        {
            ctx.Reply.WriteRaw("+PONG\r\n"u8);
        }
    }

    private static void Echo(CommandContext ctx) => ctx.Reply.WriteBulkString(ctx.Arg(1));

    private static void Quit(CommandContext ctx)
    {
        ctx.Reply.WriteOk();
        ctx.Session.CloseAfterReply = true;
    }

    private static void Select(CommandContext ctx)
    {
        if (!CommandContext.TryParseLong(ctx.Arg(1), out long index))
        {
            ctx.Error(Errors.NotInteger);
            return;
        }
        if (index < 0 || index >= ctx.Server.Databases.Length)
        {
            ctx.Error(Errors.InvalidDbIndex);
            return;
        }
        ctx.Session.DbIndex = (int)index;
        ctx.Reply.WriteOk();
    }
}
