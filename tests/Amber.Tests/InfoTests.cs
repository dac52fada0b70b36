using System.Text.RegularExpressions;
using Amber.Keyspace;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

public class InfoTests
{
    /// <summary>Section titles of Redis 7.0.15's INFO, by argument.</summary>
    private static readonly string[] DefaultTitles = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"];
    private static readonly string[] AllTitles = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"];

    /// <summary>Every fixed field of real redis-server 7.0.15's INFO everything, in order (per-command/error/db lines excluded).</summary>
    private const string RedisFields =
        "redis_version redis_git_sha1 redis_git_dirty redis_build_id redis_mode os arch_bits monotonic_clock multiplexing_api " +
        "atomicvar_api gcc_version process_id process_supervised run_id tcp_port server_time_usec uptime_in_seconds uptime_in_days " +
        "hz configured_hz lru_clock executable config_file io_threads_active " +
        "connected_clients cluster_connections maxclients client_recent_max_input_buffer client_recent_max_output_buffer " +
        "blocked_clients tracking_clients clients_in_timeout_table " +
        "used_memory used_memory_human used_memory_rss used_memory_rss_human used_memory_peak used_memory_peak_human " +
        "used_memory_peak_perc used_memory_overhead used_memory_startup used_memory_dataset used_memory_dataset_perc " +
        "allocator_allocated allocator_active allocator_resident total_system_memory total_system_memory_human used_memory_lua " +
        "used_memory_vm_eval used_memory_lua_human used_memory_scripts_eval number_of_cached_scripts number_of_functions " +
        "number_of_libraries used_memory_vm_functions used_memory_vm_total used_memory_vm_total_human used_memory_functions " +
        "used_memory_scripts used_memory_scripts_human maxmemory maxmemory_human maxmemory_policy allocator_frag_ratio " +
        "allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes rss_overhead_ratio rss_overhead_bytes mem_fragmentation_ratio " +
        "mem_fragmentation_bytes mem_not_counted_for_evict mem_replication_backlog mem_total_replication_buffers mem_clients_slaves " +
        "mem_clients_normal mem_cluster_links mem_aof_buffer mem_allocator active_defrag_running lazyfree_pending_objects lazyfreed_objects " +
        "gc_gen0_collections gc_gen1_collections gc_gen2_collections gc_pause_total_ms gc_last_pause_ms gc_pause_time_perc gc_allocated_bytes jit_compiled_methods jit_compilation_time_ms " +
        "loading async_loading current_cow_peak current_cow_size current_cow_size_age current_fork_perc current_save_keys_processed " +
        "current_save_keys_total rdb_changes_since_last_save rdb_bgsave_in_progress rdb_last_save_time rdb_last_bgsave_status " +
        "rdb_last_bgsave_time_sec rdb_current_bgsave_time_sec rdb_saves rdb_last_cow_size rdb_last_load_keys_expired " +
        "rdb_last_load_keys_loaded aof_enabled aof_rewrite_in_progress aof_rewrite_scheduled aof_last_rewrite_time_sec " +
        "aof_current_rewrite_time_sec aof_last_bgrewrite_status aof_rewrites aof_rewrites_consecutive_failures aof_last_write_status " +
        "aof_last_cow_size module_fork_in_progress module_fork_last_cow_size " +
        "total_connections_received total_commands_processed instantaneous_ops_per_sec total_net_input_bytes total_net_output_bytes " +
        "total_net_repl_input_bytes total_net_repl_output_bytes instantaneous_input_kbps instantaneous_output_kbps " +
        "instantaneous_input_repl_kbps instantaneous_output_repl_kbps rejected_connections sync_full sync_partial_ok sync_partial_err " +
        "expired_keys expired_stale_perc expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients " +
        "total_eviction_exceeded_time current_eviction_exceeded_time keyspace_hits keyspace_misses pubsub_channels pubsub_patterns " +
        "pubsubshard_channels latest_fork_usec total_forks migrate_cached_sockets slave_expires_tracked_keys active_defrag_hits " +
        "active_defrag_misses active_defrag_key_hits active_defrag_key_misses total_active_defrag_time current_active_defrag_time " +
        "tracking_total_keys tracking_total_items tracking_total_prefixes unexpected_error_replies total_error_replies " +
        "dump_payload_sanitizations total_reads_processed total_writes_processed io_threaded_reads_processed io_threaded_writes_processed " +
        "reply_buffer_shrinks reply_buffer_expands event_loop_polls event_loop_poll_hits " +
        "role connected_slaves master_failover_state master_replid master_replid2 master_repl_offset second_repl_offset " +
        "repl_backlog_active repl_backlog_size repl_backlog_first_byte_offset repl_backlog_histlen " +
        "used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children used_cpu_sys_main_thread used_cpu_user_main_thread " +
        "cluster_enabled";

    /// <summary>Reads a bulk-string reply's text.</summary>
    private static string Body(string reply)
    {
        Assert.StartsWith("$", reply);
        int nl = reply.IndexOf("\r\n", StringComparison.Ordinal);
        int len = int.Parse(reply.AsSpan(1, nl - 1));
        string body = reply.Substring(nl + 2, len);
        Assert.Equal(reply.Length, nl + 2 + len + 2);
        return body;
    }

    private static List<string> Titles(string text) =>
        [.. text.Split("\r\n").Where(l => l.StartsWith("# ", StringComparison.Ordinal)).Select(l => l[2..])];

    private static Dictionary<string, string> Fields(string text)
    {
        var d = new Dictionary<string, string>();
        foreach (string line in text.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && !line.StartsWith('#'))
            {
                d[line[..colon]] = line[(colon + 1)..];
            }
        }
        return d;
    }

    [Fact]
    public async Task FieldNamesAndOrderMatchRedisInfoEverything()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string text = Body(c.Call("INFO", "everything"));
        var names = text.Split("\r\n")
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.IndexOf(':')])
            .Where(n => !n.StartsWith("cmdstat_", StringComparison.Ordinal) && !n.StartsWith("latency_percentiles_usec_", StringComparison.Ordinal)
                && !n.StartsWith("errorstat_", StringComparison.Ordinal) && !Regex.IsMatch(n, "^db[0-9]+$"));
        Assert.Equal(RedisFields, string.Join(' ', names));
        Assert.Equal(AllTitles, Titles(text));
    }

    [Fact]
    public async Task SectionSelection()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(DefaultTitles, Titles(Body(c.Call("INFO"))));
        Assert.Equal(DefaultTitles, Titles(Body(c.Call("INFO", "default"))));
        Assert.Equal(AllTitles, Titles(Body(c.Call("INFO", "all"))));
        Assert.Equal(AllTitles, Titles(Body(c.Call("INFO", "EVERYTHING"))));
        // Several sections come back once each, in Redis's order whatever the request order.
        Assert.Equal(["CPU", "Keyspace"], Titles(Body(c.Call("INFO", "keyspace", "cpu", "KEYSPACE"))));
        Assert.Equal(AllTitles, Titles(Body(c.Call("INFO", "default", "commandstats", "latencystats"))));
        Assert.Equal("$0\r\n\r\n", c.Call("INFO", "nosuchsection"));
        Assert.Equal("$11\r\n# Modules\r\n\r\n", c.Call("INFO", "modules"));
        Assert.Equal("$12\r\n# Keyspace\r\n\r\n", c.Call("INFO", "keyspace"));
        // Sections are separated by one empty line; the text ends with the last field's CRLF.
        string two = Body(c.Call("INFO", "cluster", "keyspace"));
        Assert.Equal("# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n", two);
    }

    [Fact]
    public async Task ServerSectionHasTrueValues()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        var f = Fields(Body(c.Call("INFO", "server")));
        Assert.Equal("7.0.15", f["redis_version"]);
        Assert.Equal("standalone", f["redis_mode"]);
        Assert.Equal(server.Port.ToString(), f["tcp_port"]);
        Assert.Equal(Environment.ProcessId.ToString(), f["process_id"]);
        Assert.Matches("^[0-9a-f]{40}$", f["run_id"]);
        Assert.Equal(server.Server.RunId, f["run_id"]);
        Assert.InRange(long.Parse(f["uptime_in_seconds"]), 0, 60);
        long usec = long.Parse(f["server_time_usec"]);
        Assert.InRange(usec / 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
        Assert.Equal((usec / 1_000_000 & 0xFFFFFF).ToString(), f["lru_clock"]);
        Assert.Equal("10", f["hz"]);
    }

    [Fact]
    public async Task ClientsMemoryCpuReplicationValues()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var other = server.Raw();
        Assert.Equal("+PONG\r\n", other.Call("PING"));
        var f = Fields(Body(c.Call("INFO", "clients", "memory", "cpu", "replication", "persistence")));
        Assert.Equal("2", f["connected_clients"]);
        Assert.Equal("10000", f["maxclients"]);
        Assert.True(long.Parse(f["used_memory"]) > 0);
        Assert.True(long.Parse(f["used_memory_rss"]) > 0);
        Assert.True(long.Parse(f["used_memory_peak"]) >= long.Parse(f["used_memory"]));
        Assert.Matches(@"^[0-9]+(B|\.[0-9]{2}[KMGTP])$", f["used_memory_human"]);
        Assert.Matches(@"^[0-9]+\.[0-9]{2}%$", f["used_memory_peak_perc"]);
        Assert.Equal("noeviction", f["maxmemory_policy"]);
        Assert.Matches(@"^[0-9]+\.[0-9]{6}$", f["used_cpu_user"]);
        Assert.Matches(@"^[0-9]+\.[0-9]{6}$", f["used_cpu_sys"]);
        Assert.True(double.Parse(f["used_cpu_user"], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(f["used_cpu_sys"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("master", f["role"]);
        Assert.Matches("^[0-9a-f]{40}$", f["master_replid"]);
        Assert.NotEqual(f["master_replid"], server.Server.RunId);
        Assert.Equal("0", f["loading"]);
        Assert.Equal("0", f["aof_enabled"]);
        Assert.Equal("ok", f["rdb_last_bgsave_status"]);
        Assert.Equal(server.Server.LastSaveUnixSeconds.ToString(), f["rdb_last_save_time"]);
        Assert.Equal(server.Server.Dirty.ToString(), f["rdb_changes_since_last_save"]);
    }

    [Fact]
    public async Task PersistenceSectionComesFromTheProvider()
    {
        await using var server = TestServer.Start();
        server.Server.PersistenceInfo = new FakePersistence();
        using var c = server.Raw();
        Assert.Equal("# Persistence\r\nloading:1\r\n", Body(c.Call("INFO", "persistence")));
    }

    private sealed class FakePersistence : Diagnostics.IPersistenceInfo
    {
        public void WriteInfo(Diagnostics.InfoWriter w) => w.Field("loading", 1);
    }

    [Fact]
    public async Task StatsCountCommandsHitsMissesAndErrors()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "k", "v");
        c.Call("GET", "k");
        c.Call("GET", "k");
        c.Call("GET", "missing");
        Assert.StartsWith("-ERR unknown command", c.Call("NOSUCH"));
        Assert.StartsWith("-ERR wrong number", c.Call("GET"));
        var f = Fields(Body(c.Call("INFO", "stats")));
        Assert.Equal("2", f["keyspace_hits"]);
        Assert.Equal("1", f["keyspace_misses"]);
        Assert.Equal("4", f["total_commands_processed"]); // rejected commands do not count
        Assert.Equal("2", f["total_error_replies"]);
        Assert.Equal("1", f["total_connections_received"]);
        Assert.True(long.Parse(f["total_net_input_bytes"]) > 0);
        Assert.True(long.Parse(f["total_reads_processed"]) >= 6);
        Assert.Matches(@"^[0-9]+\.[0-9]{2}$", f["instantaneous_input_kbps"]);

        string errors = Body(c.Call("INFO", "errorstats"));
        Assert.Equal("# Errorstats\r\nerrorstat_ERR:count=2\r\n", errors);

        string commands = Body(c.Call("INFO", "commandstats"));
        Assert.Matches(@"\r\ncmdstat_get:calls=3,usec=[0-9]+,usec_per_call=[0-9]+\.[0-9]{2},rejected_calls=1,failed_calls=0\r\n", commands);
        Assert.Matches(@"\r\ncmdstat_set:calls=1,usec=[0-9]+,usec_per_call=[0-9]+\.[0-9]{2},rejected_calls=0,failed_calls=0\r\n", commands);
        Assert.DoesNotContain("cmdstat_ping", commands);

        string latency = Body(c.Call("INFO", "latencystats"));
        Assert.Matches(@"\r\nlatency_percentiles_usec_get:p50=[0-9]+\.[0-9]{3},p99=[0-9]+\.[0-9]{3},p99\.9=[0-9]+\.[0-9]{3}\r\n", latency);
    }

    [Fact]
    public async Task KeyspaceLines()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SET", "a", "1");
        c.Call("SET", "b", "2");
        c.Call("SELECT", "3");
        c.Call("SET", "c", "3");
        lock (server.Server.KeyspaceLock)
        {
            Database db0 = server.Server.Databases[0];
            db0.SetExpiry(db0.FindRaw("b"u8)!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 100_000);
        }
        string text = Body(c.Call("INFO", "keyspace"));
        Assert.Matches(@"^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=(99[0-9]{3}|100000)\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n$", text);
    }

    [Fact]
    public async Task Resp3RepliesWithAVerbatimString()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        UseResp3(server, c);
        Assert.Equal("=16\r\ntxt:# Keyspace\r\n\r\n", c.Call("INFO", "keyspace"));
        Assert.Equal("=4\r\ntxt:\r\n", c.Call("INFO", "nosuch"));
    }

    /// <summary>Switches the raw client to RESP3.</summary>
    internal static void UseResp3(TestServer server, RawClient c)
    {
        Assert.StartsWith("%7\r\n", c.Call("HELLO", "3"));
        Assert.Equal(3, server.Server.Clients.Snapshot()[^1].Protocol);
    }

    [Fact]
    public async Task StackExchangeRedisReadsInfoOverResp3()
    {
        await using var server = TestServer.Start();
        var mux = server.Connect(protocol: RedisProtocol.Resp3);
        IServer s = mux.GetServer(mux.GetEndPoints()[0]);
        Assert.Equal(RedisProtocol.Resp3, s.Protocol);
        var groups = await s.InfoAsync("server");
        Assert.Contains(groups, g => g.Key == "Server" && g.Any(kv => kv.Key == "tcp_port" && kv.Value == server.Port.ToString()));
        Assert.Contains("redis_version:7.0.15", await s.InfoRawAsync());
    }

    [Fact]
    public async Task StackExchangeRedisReadsInfo()
    {
        await using var server = TestServer.Start();
        var mux = server.Connect();
        IServer s = mux.GetServer(mux.GetEndPoints()[0]);
        await mux.GetDatabase().StringSetAsync("k", "v");
        var groups = await s.InfoAsync();
        Assert.Contains(groups, g => g.Key == "Server" && g.Any(kv => kv.Key == "redis_version" && kv.Value == "7.0.15"));
        Assert.Contains(groups, g => g.Key == "Keyspace");
        var all = await s.InfoAsync("all");
        Assert.Contains(all, g => g.Key == "Commandstats" && g.Any(kv => kv.Key == "cmdstat_info"));
        Assert.Equal(new Version(7, 0, 15), s.Version);
        Assert.Equal(ServerType.Standalone, s.ServerType);
        Assert.Contains("redis_version:7.0.15", await s.InfoRawAsync("server"));
    }
}
