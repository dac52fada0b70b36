using Amber.Server;

namespace Amber.Commands;

/// <summary>SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].</summary>
internal static class ShutdownCommand
{
    public static void Register(CommandTable t)
    {
        t.Add(new("shutdown", -1, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale |
            CommandFlags.NoMulti | CommandFlags.AllowBusy, 0, 0, 0, "admin slow dangerous", Shutdown)
        {
            Group = "server",
            Summary = "Saves if configured to, then stops the server.",
        });
    }

    /// <summary>
    /// On success the server stops and the client gets no reply (its connection closes), as with Redis's exit.
    /// Without replicas to wait for there is never a shutdown in progress, so ABORT always fails.
    /// </summary>
    private static void Shutdown(CommandContext ctx)
    {
        bool? save = null;
        bool now = false;
        bool force = false;
        bool abort = false;
        bool nosave = false;
        bool saveFlag = false;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "nosave"))
            {
                nosave = true;
            }
            else if (ctx.ArgIs(i, "save"))
            {
                saveFlag = true;
            }
            else if (ctx.ArgIs(i, "now"))
            {
                now = true;
            }
            else if (ctx.ArgIs(i, "force"))
            {
                force = true;
            }
            else if (ctx.ArgIs(i, "abort"))
            {
                abort = true;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if ((abort && (nosave || saveFlag || now || force)) || (nosave && saveFlag))
        {
            ctx.SyntaxError();
            return;
        }
        if (abort)
        {
            ctx.Error(Errors.NoShutdownInProgress);
            return;
        }
        if (nosave)
        {
            save = false;
        }
        else if (saveFlag)
        {
            save = true;
        }
        if (!ctx.Server.RequestShutdown(new ShutdownRequest(save, now, force)))
        {
            ctx.Error(Errors.ShutdownFailed);
            return;
        }
        // Nothing after SHUTDOWN in this connection's pipeline runs.
        ctx.Session.CloseAfterReply = true;
    }
}
