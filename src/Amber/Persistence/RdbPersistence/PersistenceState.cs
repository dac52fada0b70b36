namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// RDB save and load outcomes as INFO persistence and the save points read them (Redis's lastbgsave_status,
/// stat_rdb_saves, ...). Written under the keyspace lock; INFO reads them under it too.
/// </summary>
internal sealed class PersistenceState
{
    /// <summary>rdb_last_bgsave_status: false after a failed background save (and MISCONF with save points), until a save succeeds.</summary>
    public bool LastBgsaveOk { get; set; } = true;

    /// <summary>Unix seconds of the last background save attempt: after a failure, save points retry only 5 s later.</summary>
    public long LastBgsaveTryUnixSeconds { get; set; }

    /// <summary>rdb_last_bgsave_time_sec: -1 until a background save ends.</summary>
    public long LastBgsaveDurationSeconds { get; set; } = -1;

    /// <summary>rdb_saves: SAVE commands and background saves started (not FLUSHALL, SHUTDOWN or DEBUG RELOAD saves, as Redis).</summary>
    public long RdbSaves { get; set; }

    /// <summary>rdb_last_cow_size: the last background save's peak serialized-but-unwritten bytes (our copy-on-write cost).</summary>
    public long LastCowBytes { get; set; }

    /// <summary>rdb_last_load_keys_loaded / _expired: of the last (or the running) load.</summary>
    public long LastLoadKeysLoaded { get; set; }
    public long LastLoadKeysExpired { get; set; }

    /// <summary>INFO stats latest_fork_usec: what starting the last point-in-time snapshot cost under the lock.</summary>
    public long LatestForkMicros { get; set; }

    /// <summary>INFO stats total_forks: snapshots started (Redis counts every child process it forks).</summary>
    public long TotalForks { get; set; }

    /// <summary>Records the start of a background snapshot (BGSAVE now; the AOF rewrite calls it too).</summary>
    public void RecordFork(long micros)
    {
        LatestForkMicros = micros;
        TotalForks++;
    }
}
