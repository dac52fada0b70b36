using Amber.Commands;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// Commands refused because of persistence, checked by the executor before running (or queueing) a command, in
/// Redis's order: MISCONF while persisting fails (write commands and PING), then -LOADING while a dataset loads.
/// </summary>
internal static class PersistenceGate
{
    /// <summary>
    /// Redis's writeCommandsDeniedByDiskError: a failed background save with save points and
    /// stop-writes-on-bgsave-error yes, else the AOF's write/fsync error; null while persistence is healthy.
    /// </summary>
    public static string? DiskError(AmberServer server)
    {
        if (!server.PersistenceStatus.LastBgsaveOk && server.Config.StopWritesOnBgsaveError && server.Config.Save.Count > 0)
        {
            return Errors.MisconfRdb;
        }
        return server.Aof.DiskError;
    }

    /// <summary>Whether a load in progress refuses the command (-LOADING): all but those flagged "loading" (INFO, CONFIG ...).</summary>
    public static bool RefusedWhileLoading(AmberServer server, CommandSpec spec) =>
        server.Loading.Active && !spec.Has(CommandFlags.Loading);

    /// <summary>The error to reply instead of running <paramref name="spec"/>, or null (for CLIENT PAUSE's hold check).</summary>
    public static string? Refusal(AmberServer server, ClientSession session, CommandSpec spec)
    {
        if (DiskError(server) is { } diskError && CommandExecutor.DeniedOnDiskError(session, spec))
        {
            return diskError;
        }
        return RefusedWhileLoading(server, spec) ? Errors.Loading : null;
    }
}
