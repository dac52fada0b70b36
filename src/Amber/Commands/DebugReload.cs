using Amber.Keyspace;
using Amber.Persistence.Rdb.Reading;
using Amber.Persistence.RdbPersistence;

namespace Amber.Commands;

/// <summary>
/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save dbfilename, empty the databases, load the file back, under the
/// keyspace lock (the whole server waits), as Redis 7.0. Differs in one way: a damaged file makes Redis exit; here the
/// command fails and the server keeps whatever was loaded (nothing, unless NOFLUSH).
/// </summary>
internal static class DebugReload
{
    public static void Run(CommandContext ctx)
    {
        bool flush = true;
        bool save = true;
        bool merge = false;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "merge"))
            {
                merge = true;
            }
            else if (ctx.ArgIs(i, "noflush"))
            {
                flush = false;
            }
            else if (ctx.ArgIs(i, "nosave"))
            {
                save = false;
            }
            else
            {
                ctx.Error(Errors.DebugReloadOptions);
                return;
            }
        }
        var server = ctx.Server;
        if (save && !server.Rdb.Save())
        {
            ctx.Error(Errors.Generic);
            return;
        }
        if (flush)
        {
            foreach (Database db in server.Databases)
            {
                server.Effects.DatabaseModified(db.Index);
            }
            server.FlushAll();
        }
        try
        {
            server.DumpLoader.Load(flush ? LoadMode.Replace : merge ? LoadMode.Merge : LoadMode.Add);
        }
        catch (Exception e) when (e is RdbLoadException or IOException or UnauthorizedAccessException)
        {
            server.Log.Warning($"DEBUG RELOAD failed loading {server.DumpLoader.FilePath}: {e.Message}");
            ctx.Error(Errors.DebugReloadFailed);
            return;
        }
        server.Log.Warning("DB reloaded by DEBUG RELOAD");
        ctx.Reply.WriteOk();
    }
}
