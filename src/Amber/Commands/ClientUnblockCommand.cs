using Amber.Server;

namespace Amber.Commands;

/// <summary>CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command, as if timed out or with an error.</summary>
internal static class ClientUnblockCommand
{
    /// <summary>The subcommand spec, for the CLIENT container's Subcommands.</summary>
    public static CommandSpec Spec() =>
        new("unblock", -3, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0,
            "admin slow dangerous connection", Handle)
        {
            Group = "connection",
            Summary = "Ends a blocking command of another client.",
            Since = "5.0.0",
        };

    public static void Handle(CommandContext ctx)
    {
        if (ctx.ArgCount > 4)
        {
            ctx.Error($"ERR unknown subcommand or wrong number of arguments for '{ctx.ArgString(1)}'. Try CLIENT HELP.");
            return;
        }
        bool error = false;
        if (ctx.ArgCount == 4)
        {
            if (ctx.ArgIs(3, "error"))
            {
                error = true;
            }
            else if (!ctx.ArgIs(3, "timeout"))
            {
                ctx.Error(Errors.UnblockReason);
                return;
            }
        }
        if (!ctx.TryGetLong(2, out long id))
        {
            return;
        }
        ClientSession? target = ctx.Server.Clients.Find(id);
        ctx.Reply.WriteInteger(target != null && ctx.Server.Blocking.UnblockByRequest(target, error) ? 1 : 0);
    }
}
