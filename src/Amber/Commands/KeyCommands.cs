namespace Amber.Commands;

/// <summary>Generic key commands: DEL EXISTS TYPE EXPIRE TTL RENAME SCAN ...</summary>
internal static class KeyCommands
{
    public static void Register(CommandTable t)
    {
        t.Add(new("del", -2, CommandFlags.Write, 1, -1, 1, "keyspace write slow", Del) { Group = "generic", Summary = "Deletes one or more keys." });
    }

    private static void Del(CommandContext ctx)
    {
        long deleted = 0;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            if (ctx.Db.Find(ctx.Arg(i), ctx.NowMs) != null && ctx.Db.Delete(ctx.Arg(i)))
            {
                deleted++;
            }
        }
        ctx.Reply.WriteInteger(deleted);
    }
}
