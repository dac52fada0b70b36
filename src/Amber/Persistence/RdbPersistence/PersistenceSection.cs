using Amber.Diagnostics;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// INFO persistence with Redis 7.0.15's field names and order: loading and the current background save (our
/// snapshot stands in for the forked child: cow = bytes serialized but not yet written), the rdb_* status, the AOF's
/// part (Persistence/Aof/AofService), then the loading_* progress while a load runs.
/// </summary>
internal sealed class PersistenceSection(AmberServer server) : IPersistenceInfo
{
    public void WriteInfo(InfoWriter w)
    {
        PersistenceState state = server.PersistenceStatus;
        LoadingState loading = server.Loading;
        BackgroundSave? bg = server.Rdb.Current;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        w.Field("loading", loading.Active ? 1 : 0);
        w.Field("async_loading", 0);
        w.Field("current_cow_peak", bg?.PeakPendingBytes ?? 0);
        w.Field("current_cow_size", bg?.PendingBytes ?? 0);
        w.Field("current_cow_size_age", 0);
        long processed = bg?.KeysProcessed ?? 0;
        long total = bg?.KeysTotal ?? 0;
        w.Field2("current_fork_perc", total > 0 ? (double)processed / total * 100 : 0);
        w.Field("current_save_keys_processed", processed);
        w.Field("current_save_keys_total", total);
        w.Field("rdb_changes_since_last_save", server.Dirty);
        w.Field("rdb_bgsave_in_progress", bg != null ? 1 : 0);
        w.Field("rdb_last_save_time", server.LastSaveUnixSeconds);
        w.Field("rdb_last_bgsave_status", state.LastBgsaveOk ? "ok" : "err");
        w.Field("rdb_last_bgsave_time_sec", state.LastBgsaveDurationSeconds);
        w.Field("rdb_current_bgsave_time_sec", bg != null ? now - bg.StartUnixSeconds : -1);
        w.Field("rdb_saves", state.RdbSaves);
        w.Field("rdb_last_cow_size", state.LastCowBytes);
        // A running load shows its counts so far, as Redis's do.
        w.Field("rdb_last_load_keys_expired", loading.Active ? loading.KeysExpired : state.LastLoadKeysExpired);
        w.Field("rdb_last_load_keys_loaded", loading.Active ? loading.KeysLoaded : state.LastLoadKeysLoaded);
        server.Aof.WriteStatus(w);
        w.Field("module_fork_in_progress", 0);
        w.Field("module_fork_last_cow_size", 0);
        server.Aof.WriteSizes(w);
        if (loading.Active)
        {
            w.Field("loading_start_time", loading.StartUnixSeconds);
            w.Field("loading_total_bytes", loading.TotalBytes);
            w.Field("loading_rdb_used_mem", loading.RdbUsedMemory);
            w.Field("loading_loaded_bytes", loading.LoadedBytes);
            w.Field2("loading_loaded_perc", loading.Percent);
            w.Field("loading_eta_seconds", loading.EtaSeconds(now));
        }
    }
}
