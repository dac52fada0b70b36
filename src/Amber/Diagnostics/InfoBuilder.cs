using System.Globalization;
using System.Text;
using Amber.Commands;
using Amber.Keyspace;
using Amber.Server;

namespace Amber.Diagnostics;

/// <summary>The INFO sections, in the order Redis 7.0 prints them.</summary>
[Flags]
internal enum InfoSections
{
    None = 0,
    Server = 1 << 0,
    Clients = 1 << 1,
    Memory = 1 << 2,
    Persistence = 1 << 3,
    Stats = 1 << 4,
    Replication = 1 << 5,
    Cpu = 1 << 6,
    Modules = 1 << 7,
    CommandStats = 1 << 8,
    ErrorStats = 1 << 9,
    LatencyStats = 1 << 10,
    Cluster = 1 << 11,
    Keyspace = 1 << 12,

    Default = Server | Clients | Memory | Persistence | Stats | Replication | Cpu | Modules | ErrorStats | Cluster | Keyspace,
    All = Default | CommandStats | LatencyStats,
}

/// <summary>
/// Builds the INFO text: Redis 7.0's sections and field names in Redis's order, with Amber's real values where it
/// has them and Redis's idle values for subsystems that do not exist yet.
/// </summary>
internal sealed class InfoBuilder(AmberServer server)
{
    private readonly long _startupMemory = GC.GetTotalMemory(false);
    private long _peakMemory;

    /// <summary>The sections INFO's arguments ask for: none = default; "default", "all", "everything" or names; unknown names add nothing.</summary>
    public static InfoSections Parse(CommandContext ctx, int from)
    {
        if (ctx.ArgCount <= from)
        {
            return InfoSections.Default;
        }
        InfoSections sections = InfoSections.None;
        for (int i = from; i < ctx.ArgCount; i++)
        {
            sections |= ParseName(ctx.ArgString(i).ToLowerInvariant());
        }
        return sections;
    }

    private static InfoSections ParseName(string name) => name switch
    {
        "default" => InfoSections.Default,
        "all" or "everything" => InfoSections.All,
        "server" => InfoSections.Server,
        "clients" => InfoSections.Clients,
        "memory" => InfoSections.Memory,
        "persistence" => InfoSections.Persistence,
        "stats" => InfoSections.Stats,
        "replication" => InfoSections.Replication,
        "cpu" => InfoSections.Cpu,
        "modules" => InfoSections.Modules,
        "commandstats" => InfoSections.CommandStats,
        "errorstats" => InfoSections.ErrorStats,
        "latencystats" => InfoSections.LatencyStats,
        "cluster" => InfoSections.Cluster,
        "keyspace" => InfoSections.Keyspace,
        _ => InfoSections.None,
    };

    /// <summary>Called by the cron so used_memory_peak sees peaks between INFO calls.</summary>
    public void SampleMemory() => _peakMemory = Math.Max(_peakMemory, GC.GetTotalMemory(false));

    public string Build(InfoSections sections, long nowMs)
    {
        var w = new InfoWriter();
        int count = 0;
        void Begin(string title)
        {
            if (count++ > 0)
            {
                w.Blank();
            }
            w.Header(title);
        }

        if ((sections & InfoSections.Server) != 0)
        {
            Begin("Server");
            WriteServer(w, nowMs);
        }
        if ((sections & InfoSections.Clients) != 0)
        {
            Begin("Clients");
            WriteClients(w);
        }
        if ((sections & InfoSections.Memory) != 0)
        {
            Begin("Memory");
            WriteMemory(w);
        }
        if ((sections & InfoSections.Persistence) != 0)
        {
            Begin("Persistence");
            server.PersistenceInfo.WriteInfo(w);
        }
        if ((sections & InfoSections.Stats) != 0)
        {
            Begin("Stats");
            WriteStats(w);
        }
        if ((sections & InfoSections.Replication) != 0)
        {
            Begin("Replication");
            WriteReplication(w);
        }
        if ((sections & InfoSections.Cpu) != 0)
        {
            Begin("CPU");
            WriteCpu(w);
        }
        if ((sections & InfoSections.Modules) != 0)
        {
            Begin("Modules");
        }
        if ((sections & InfoSections.CommandStats) != 0)
        {
            Begin("Commandstats");
            WriteCommandStats(w);
        }
        if ((sections & InfoSections.ErrorStats) != 0)
        {
            Begin("Errorstats");
            WriteErrorStats(w);
        }
        if ((sections & InfoSections.LatencyStats) != 0)
        {
            Begin("Latencystats");
            WriteLatencyStats(w);
        }
        if ((sections & InfoSections.Cluster) != 0)
        {
            Begin("Cluster");
            w.Field("cluster_enabled", 0);
        }
        if ((sections & InfoSections.Keyspace) != 0)
        {
            Begin("Keyspace");
            WriteKeyspace(w, nowMs);
        }
        return w.ToString();
    }

    private void WriteServer(InfoWriter w, long nowMs)
    {
        long uptime = (nowMs - server.Stats.StartTimeMs) / 1000;
        w.Field("redis_version", AmberServer.Version);
        w.Field("redis_git_sha1", "00000000");
        w.Field("redis_git_dirty", 0);
        w.Field("redis_build_id", BuildId);
        w.Field("redis_mode", "standalone");
        w.Field("os", ProcessMetrics.Os);
        w.Field("arch_bits", IntPtr.Size * 8);
        w.Field("monotonic_clock", "POSIX clock_gettime");
        w.Field("multiplexing_api", "epoll");
        w.Field("atomicvar_api", "c11-builtin");
        w.Field("gcc_version", "0.0.0");
        w.Field("process_id", Environment.ProcessId);
        w.Field("process_supervised", "no");
        w.Field("run_id", server.RunId);
        w.Field("tcp_port", server.BoundPorts.Count > 0 ? server.BoundPorts[0] : server.Config.Port);
        // The command's own clock, as Redis reports its cached server.ustime, so every time field agrees.
        w.Field("server_time_usec", nowMs * 1000);
        w.Field("uptime_in_seconds", uptime);
        w.Field("uptime_in_days", uptime / 86400);
        w.Field("hz", server.Config.Hz);
        w.Field("configured_hz", server.Config.Hz);
        w.Field("lru_clock", LruClock(nowMs));
        w.Field("executable", Environment.ProcessPath ?? "");
        w.Field("config_file", server.Config.ConfigFile == null ? "" : Path.GetFullPath(server.Config.ConfigFile));
        w.Field("io_threads_active", 0);
    }

    /// <summary>Redis's LRU clock: Unix seconds in 24 bits.</summary>
    public static long LruClock(long nowMs) => (nowMs / 1000) & ((1 << 24) - 1);

    private static readonly string BuildId = Convert.ToHexStringLower(
        typeof(InfoBuilder).Assembly.ManifestModule.ModuleVersionId.ToByteArray().AsSpan(0, 8));

    private void WriteClients(InfoWriter w)
    {
        List<ClientSession> clients = server.Clients.Snapshot();
        long maxInput = 0;
        int blocked = 0;
        foreach (ClientSession c in clients)
        {
            maxInput = Math.Max(maxInput, c.QueryBufferLength);
            if (c.IsBlocked)
            {
                blocked++;
            }
        }
        w.Field("connected_clients", clients.Count);
        w.Field("cluster_connections", 0);
        w.Field("maxclients", server.Config.MaxClients);
        w.Field("client_recent_max_input_buffer", maxInput);
        w.Field("client_recent_max_output_buffer", 0);
        w.Field("blocked_clients", blocked);
        w.Field("tracking_clients", 0);
        w.Field("clients_in_timeout_table", server.Blocking.TimeoutCount);
    }

    private void WriteMemory(InfoWriter w)
    {
        long used = GC.GetTotalMemory(false);
        long rss = ProcessMetrics.ResidentSetBytes();
        _peakMemory = Math.Max(_peakMemory, used);
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        long active = Math.Max(used, gc.TotalCommittedBytes);
        long overhead = Math.Min(used, _startupMemory);
        long dataset = Math.Max(0, used - overhead);
        long net = used - _startupMemory > 0 ? used - _startupMemory : 1;
        long maxmemory = server.Config.MaxMemory;
        long systemMemory = ProcessMetrics.TotalSystemMemory;

        w.Field("used_memory", used);
        w.Field("used_memory_human", ProcessMetrics.BytesToHuman(used));
        w.Field("used_memory_rss", rss);
        w.Field("used_memory_rss_human", ProcessMetrics.BytesToHuman(rss));
        w.Field("used_memory_peak", _peakMemory);
        w.Field("used_memory_peak_human", ProcessMetrics.BytesToHuman(_peakMemory));
        w.Field("used_memory_peak_perc", Percent(used, _peakMemory));
        w.Field("used_memory_overhead", overhead);
        w.Field("used_memory_startup", _startupMemory);
        w.Field("used_memory_dataset", dataset);
        w.Field("used_memory_dataset_perc", Percent(dataset, net));
        w.Field("allocator_allocated", used);
        w.Field("allocator_active", active);
        w.Field("allocator_resident", rss);
        w.Field("total_system_memory", systemMemory);
        w.Field("total_system_memory_human", ProcessMetrics.BytesToHuman(systemMemory));
        // Scripting does not exist yet: its memory fields are zero.
        w.Field("used_memory_lua", 0);
        w.Field("used_memory_vm_eval", 0);
        w.Field("used_memory_lua_human", "0B");
        w.Field("used_memory_scripts_eval", 0);
        w.Field("number_of_cached_scripts", 0);
        w.Field("number_of_functions", 0);
        w.Field("number_of_libraries", 0);
        w.Field("used_memory_vm_functions", 0);
        w.Field("used_memory_vm_total", 0);
        w.Field("used_memory_vm_total_human", "0B");
        w.Field("used_memory_functions", 0);
        w.Field("used_memory_scripts", 0);
        w.Field("used_memory_scripts_human", "0B");
        w.Field("maxmemory", maxmemory);
        w.Field("maxmemory_human", ProcessMetrics.BytesToHuman(maxmemory));
        w.Field("maxmemory_policy", server.Config.MaxMemoryPolicy);
        w.Field2("allocator_frag_ratio", Ratio(active, used));
        w.Field("allocator_frag_bytes", active - used);
        w.Field2("allocator_rss_ratio", Ratio(rss, active));
        w.Field("allocator_rss_bytes", rss - active);
        w.Field2("rss_overhead_ratio", 1.0);
        w.Field("rss_overhead_bytes", 0);
        w.Field2("mem_fragmentation_ratio", Ratio(rss, used));
        w.Field("mem_fragmentation_bytes", rss - used);
        w.Field("mem_not_counted_for_evict", 0);
        w.Field("mem_replication_backlog", 0);
        w.Field("mem_total_replication_buffers", 0);
        w.Field("mem_clients_slaves", 0);
        w.Field("mem_clients_normal", 0);
        w.Field("mem_cluster_links", 0);
        w.Field("mem_aof_buffer", 0);
        w.Field("mem_allocator", "dotnet-gc");
        w.Field("active_defrag_running", 0);
        w.Field("lazyfree_pending_objects", 0);
        w.Field("lazyfreed_objects", 0);
        // Amber's own: the garbage collector is part of the latency budget (docs/architecture.md), so INFO shows it.
        w.Field("gc_gen0_collections", GC.CollectionCount(0));
        w.Field("gc_gen1_collections", GC.CollectionCount(1));
        w.Field("gc_gen2_collections", GC.CollectionCount(2));
        w.Field("gc_pause_total_ms", (long)GC.GetTotalPauseDuration().TotalMilliseconds);
        w.Field("gc_last_pause_ms", gc.Index == 0 ? 0 : (long)gc.PauseDurations[0].TotalMilliseconds);
        w.Field2("gc_pause_time_perc", gc.PauseTimePercentage);
        w.Field("gc_allocated_bytes", GC.GetTotalAllocatedBytes());
        // Also Amber's own: methods the JIT has compiled (tier-ups included). Benchmarks warm up until it settles, so
        // they time the steady-state code a long-running server runs, not the tiering of its first seconds.
        w.Field("jit_compiled_methods", System.Runtime.JitInfo.GetCompiledMethodCount());
        w.Field("jit_compilation_time_ms", (long)System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds);
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    private static string Percent(long part, long whole) =>
        (whole == 0 ? 0 : (double)part * 100 / whole).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private void WriteStats(InfoWriter w)
    {
        ServerStats s = server.Stats;
        w.Field("total_connections_received", Interlocked.Read(ref s.TotalConnectionsReceived));
        w.Field("total_commands_processed", s.TotalCommandsProcessed);
        w.Field("instantaneous_ops_per_sec", s.InstantaneousOpsPerSecond);
        w.Field("total_net_input_bytes", Interlocked.Read(ref s.NetInputBytes));
        w.Field("total_net_output_bytes", Interlocked.Read(ref s.NetOutputBytes));
        w.Field("total_net_repl_input_bytes", 0);
        w.Field("total_net_repl_output_bytes", 0);
        w.Field2("instantaneous_input_kbps", s.InstantaneousInputKbps);
        w.Field2("instantaneous_output_kbps", s.InstantaneousOutputKbps);
        w.Field("instantaneous_input_repl_kbps", "0.00");
        w.Field("instantaneous_output_repl_kbps", "0.00");
        w.Field("rejected_connections", Interlocked.Read(ref s.RejectedConnections));
        w.Field("sync_full", 0);
        w.Field("sync_partial_ok", 0);
        w.Field("sync_partial_err", 0);
        w.Field("expired_keys", s.ExpiredKeys);
        w.Field("expired_stale_perc", "0.00");
        w.Field("expired_time_cap_reached_count", 0);
        w.Field("expire_cycle_cpu_milliseconds", 0);
        w.Field("evicted_keys", s.EvictedKeys);
        w.Field("evicted_clients", 0);
        w.Field("total_eviction_exceeded_time", 0);
        w.Field("current_eviction_exceeded_time", 0);
        w.Field("keyspace_hits", s.KeyspaceHits);
        w.Field("keyspace_misses", s.KeyspaceMisses);
        w.Field("pubsub_channels", server.PubSub.ChannelCount);
        w.Field("pubsub_patterns", server.PubSub.PatternCount);
        w.Field("pubsubshard_channels", server.PubSub.ShardChannelCount);
        w.Field("latest_fork_usec", server.PersistenceStatus.LatestForkMicros);
        w.Field("total_forks", server.PersistenceStatus.TotalForks);
        w.Field("migrate_cached_sockets", 0);
        w.Field("slave_expires_tracked_keys", 0);
        w.Field("active_defrag_hits", 0);
        w.Field("active_defrag_misses", 0);
        w.Field("active_defrag_key_hits", 0);
        w.Field("active_defrag_key_misses", 0);
        w.Field("total_active_defrag_time", 0);
        w.Field("current_active_defrag_time", 0);
        w.Field("tracking_total_keys", 0);
        w.Field("tracking_total_items", 0);
        w.Field("tracking_total_prefixes", 0);
        w.Field("unexpected_error_replies", s.UnexpectedErrorReplies);
        w.Field("total_error_replies", s.TotalErrorReplies);
        w.Field("dump_payload_sanitizations", 0);
        w.Field("total_reads_processed", Interlocked.Read(ref s.TotalReadsProcessed));
        w.Field("total_writes_processed", Interlocked.Read(ref s.TotalWritesProcessed));
        w.Field("io_threaded_reads_processed", 0);
        w.Field("io_threaded_writes_processed", 0);
        w.Field("reply_buffer_shrinks", 0);
        w.Field("reply_buffer_expands", 0);
        // Amber's own: the event thread's polls after a batched turn, and those that saw a request come (Hosting/TurnPoll).
        w.Field("event_loop_polls", Hosting.TurnPoll.Shared?.Polls ?? 0);
        w.Field("event_loop_poll_hits", Hosting.TurnPoll.Shared?.Hits ?? 0);
    }

    private void WriteReplication(InfoWriter w)
    {
        w.Field("role", "master");
        w.Field("connected_slaves", 0);
        w.Field("master_failover_state", "no-failover");
        w.Field("master_replid", server.ReplicationId);
        w.Field("master_replid2", "0000000000000000000000000000000000000000");
        w.Field("master_repl_offset", 0);
        w.Field("second_repl_offset", -1);
        w.Field("repl_backlog_active", 0);
        w.Field("repl_backlog_size", 1048576);
        w.Field("repl_backlog_first_byte_offset", 0);
        w.Field("repl_backlog_histlen", 0);
    }

    private static void WriteCpu(InfoWriter w)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        string sys = Seconds(process.PrivilegedProcessorTime);
        string user = Seconds(process.UserProcessorTime);
        w.Field("used_cpu_sys", sys);
        w.Field("used_cpu_user", user);
        w.Field("used_cpu_sys_children", "0.000000");
        w.Field("used_cpu_user_children", "0.000000");
        // Commands run on pool threads, not one main thread: report the process totals.
        w.Field("used_cpu_sys_main_thread", sys);
        w.Field("used_cpu_user_main_thread", user);
    }

    /// <summary>"%ld.%06ld" seconds and microseconds.</summary>
    private static string Seconds(TimeSpan t)
    {
        long micros = t.Ticks / 10;
        return (micros / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (micros % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private void WriteCommandStats(InfoWriter w)
    {
        foreach (CommandSpec c in server.Commands.All)
        {
            WriteCommandStat(w, c);
        }
    }

    private static void WriteCommandStat(InfoWriter w, CommandSpec c)
    {
        if (c.Calls != 0 || c.FailedCalls != 0 || c.RejectedCalls != 0)
        {
            double perCall = c.Calls == 0 ? 0 : (double)c.MicrosecondsTotal / c.Calls;
            w.Line(string.Create(CultureInfo.InvariantCulture,
                $"cmdstat_{SafeName(c.FullName)}:calls={c.Calls},usec={c.MicrosecondsTotal},usec_per_call={perCall:F2},rejected_calls={c.RejectedCalls},failed_calls={c.FailedCalls}"));
        }
        foreach (CommandSpec sub in c.Subcommands)
        {
            WriteCommandStat(w, sub);
        }
    }

    /// <summary>Redis's getSafeInfoString: characters that would break the INFO format become '_'.</summary>
    private static string SafeName(string name)
    {
        if (name.AsSpan().IndexOfAny(":\r\n,") < 0)
        {
            return name;
        }
        var sb = new StringBuilder(name);
        for (int i = 0; i < sb.Length; i++)
        {
            if (sb[i] is ':' or '\r' or '\n' or ',')
            {
                sb[i] = '_';
            }
        }
        return sb.ToString();
    }

    private void WriteErrorStats(InfoWriter w)
    {
        var codes = new List<KeyValuePair<string, long>>(server.Stats.ErrorsByCode);
        codes.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (KeyValuePair<string, long> e in codes)
        {
            w.Line(string.Create(CultureInfo.InvariantCulture, $"errorstat_{SafeName(e.Key)}:count={e.Value}"));
        }
    }

    private void WriteLatencyStats(InfoWriter w)
    {
        if (!server.Config.LatencyTracking)
        {
            return; // Redis prints the header only while tracking is off
        }
        foreach (CommandSpec c in server.Commands.All)
        {
            WriteLatencyStat(w, c);
        }
    }

    private void WriteLatencyStat(InfoWriter w, CommandSpec c)
    {
        if (c.Latency != null)
        {
            var sb = new StringBuilder();
            sb.Append("latency_percentiles_usec_").Append(SafeName(c.FullName)).Append(':');
            double[] percentiles = server.Config.LatencyTrackingInfoPercentiles;
            for (int i = 0; i < percentiles.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }
                double micros = c.Latency.ValueAtPercentile(percentiles[i]) / 1000.0;
                sb.Append('p').Append(percentiles[i].ToString("0.################", CultureInfo.InvariantCulture))
                  .Append('=').Append(micros.ToString("F3", CultureInfo.InvariantCulture));
            }
            w.Line(sb.ToString());
        }
        foreach (CommandSpec sub in c.Subcommands)
        {
            WriteLatencyStat(w, sub);
        }
    }

    private void WriteKeyspace(InfoWriter w, long nowMs)
    {
        foreach (Database db in server.Databases)
        {
            if (db.Count > 0)
            {
                w.Line(string.Create(CultureInfo.InvariantCulture,
                    $"db{db.Index}:keys={db.Count},expires={db.VolatileCount},avg_ttl={db.AverageTtl(nowMs)}"));
            }
        }
    }
}
