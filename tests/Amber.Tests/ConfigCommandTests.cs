using Amber.Diagnostics;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>CONFIG GET/SET/RESETSTAT/REWRITE/HELP over real sockets, with Redis 7.0's exact replies.</summary>
public class ConfigCommandTests
{
    /// <summary>The names redis-server 7.0.15's CONFIG GET * returns.</summary>
    private const string RedisNames =
        "acl-pubsub-default aclfile acllog-max-len active-defrag-cycle-max active-defrag-cycle-min active-defrag-ignore-bytes active-defrag-max-scan-fields " +
        "active-defrag-threshold-lower active-defrag-threshold-upper active-expire-effort activedefrag activerehashing always-show-logo aof-disable-auto-gc " +
        "aof-load-truncated aof-rewrite-incremental-fsync aof-timestamp-enabled aof-use-rdb-preamble aof_rewrite_cpulist appenddirname appendfilename " +
        "appendfsync appendonly auto-aof-rewrite-min-size auto-aof-rewrite-percentage bgsave_cpulist bind bind-source-addr bio_cpulist busy-reply-threshold " +
        "client-output-buffer-limit client-query-buffer-limit cluster-allow-pubsubshard-when-down cluster-allow-reads-when-down " +
        "cluster-allow-replica-migration cluster-announce-bus-port cluster-announce-hostname cluster-announce-ip cluster-announce-port " +
        "cluster-announce-tls-port cluster-config-file cluster-enabled cluster-link-sendbuf-limit cluster-migration-barrier cluster-node-timeout cluster-port " +
        "cluster-preferred-endpoint-type cluster-replica-no-failover cluster-replica-validity-factor cluster-require-full-coverage cluster-slave-no-failover " +
        "cluster-slave-validity-factor crash-log-enabled crash-memcheck-enabled daemonize databases dbfilename dir disable-thp dynamic-hz enable-debug-command " +
        "enable-module-command enable-protected-configs hash-max-listpack-entries hash-max-listpack-value hash-max-ziplist-entries hash-max-ziplist-value " +
        "hll-sparse-max-bytes hz ignore-warnings io-threads io-threads-do-reads jemalloc-bg-thread latency-monitor-threshold latency-tracking " +
        "latency-tracking-info-percentiles lazyfree-lazy-eviction lazyfree-lazy-expire lazyfree-lazy-server-del lazyfree-lazy-user-del " +
        "lazyfree-lazy-user-flush lfu-decay-time lfu-log-factor list-compress-depth list-max-listpack-size list-max-ziplist-size logfile loglevel " +
        "lua-time-limit masterauth masteruser maxclients maxmemory maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples " +
        "min-replicas-max-lag min-replicas-to-write min-slaves-max-lag min-slaves-to-write no-appendfsync-on-rewrite notify-keyspace-events oom-score-adj " +
        "oom-score-adj-values pidfile port proc-title-template propagation-error-behavior protected-mode proto-max-bulk-len rdb-del-sync-files " +
        "rdb-save-incremental-fsync rdbchecksum rdbcompression repl-backlog-size repl-backlog-ttl repl-disable-tcp-nodelay repl-diskless-load " +
        "repl-diskless-sync repl-diskless-sync-delay repl-diskless-sync-max-replicas repl-ping-replica-period repl-ping-slave-period repl-timeout " +
        "replica-announce-ip replica-announce-port replica-announced replica-ignore-disk-write-errors replica-ignore-maxmemory replica-lazy-flush " +
        "replica-priority replica-read-only replica-serve-stale-data replicaof requirepass sanitize-dump-payload save server_cpulist set-max-intset-entries " +
        "set-proc-title shutdown-on-sigint shutdown-on-sigterm shutdown-timeout slave-announce-ip slave-announce-port slave-ignore-maxmemory slave-lazy-flush " +
        "slave-priority slave-read-only slave-serve-stale-data slaveof slowlog-log-slower-than slowlog-max-len socket-mark-id stop-writes-on-bgsave-error " +
        "stream-node-max-bytes stream-node-max-entries supervised syslog-enabled syslog-facility syslog-ident tcp-backlog tcp-keepalive timeout " +
        "tls-auth-clients tls-ca-cert-dir tls-ca-cert-file tls-cert-file tls-ciphers tls-ciphersuites tls-client-cert-file tls-client-key-file " +
        "tls-client-key-file-pass tls-cluster tls-dh-params-file tls-key-file tls-key-file-pass tls-port tls-prefer-server-ciphers tls-protocols " +
        "tls-replication tls-session-cache-size tls-session-cache-timeout tls-session-caching tracking-table-max-keys unixsocket unixsocketperm " +
        "zset-max-listpack-entries zset-max-listpack-value zset-max-ziplist-entries zset-max-ziplist-value";

    private static string Bulk(string s) => $"${System.Text.Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n";

    private static string Err(string s) => $"-{s}\r\n";

    [Fact]
    public async Task GetStarReturnsEveryRedisParameter()
    {
        await using var server = TestServer.Start();
        IServer admin = server.Connect().GetServers()[0];
        KeyValuePair<string, string>[] all = await admin.ConfigGetAsync("*");
        Assert.Equal(RedisNames.Split(' ').Order(StringComparer.Ordinal), all.Select(p => p.Key).Order(StringComparer.Ordinal));
        var values = all.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("3600 1 300 100 60 10000", values["save"]);
        Assert.Equal("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", values["client-output-buffer-limit"]);
        Assert.Equal("50 99 99.9", values["latency-tracking-info-percentiles"]);
        Assert.Equal("536870912", values["proto-max-bulk-len"]);
        Assert.Equal("everysec", values["appendfsync"]);
        Assert.Equal("0 200 800", values["oom-score-adj-values"]);
        Assert.Equal("{title} {listen-addr} {server-mode}", values["proc-title-template"]);
        Assert.Equal(server.Directory, values["dir"]);
    }

    [Fact]
    public async Task GetTakesSeveralPatternsAndEchoesExactNames()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        Assert.Equal("*2\r\n" + Bulk("HZ") + Bulk("10"), raw.Call("CONFIG", "GET", "HZ"));
        Assert.Equal("*2\r\n" + Bulk("hz") + Bulk("10"), raw.Call("config", "get", "hz", "HZ", "Hz"));
        Assert.Equal("*0\r\n", raw.Call("CONFIG", "GET", "nonexistent"));
        Assert.Equal("*4\r\n" + Bulk("maxmemory") + Bulk("0") + Bulk("maxmemory-policy") + Bulk("noeviction"),
            raw.Call("CONFIG", "GET", "maxmemory", "maxmemory-p*"));
        string zset = raw.Call("CONFIG", "GET", "ZSET-MAX-*-ENTRIES");
        Assert.StartsWith("*4\r\n", zset);
        Assert.Contains(Bulk("zset-max-ziplist-entries") + Bulk("128"), zset);
        Assert.Contains(Bulk("zset-max-listpack-entries") + Bulk("128"), zset);
        // Hidden parameters answer only to their exact name.
        Assert.Equal("*0\r\n", raw.Call("CONFIG", "GET", "rdb-key-save-*"));
        Assert.Equal("*2\r\n" + Bulk("rdb-key-save-delay") + Bulk("0"), raw.Call("CONFIG", "GET", "rdb-key-save-delay"));
        Assert.Equal(Err("ERR wrong number of arguments for 'config|get' command"), raw.Call("CONFIG", "GET"));
    }

    [Fact]
    public async Task GetRepliesWithAMapInResp3()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        Assert.Equal("+PONG\r\n", raw.Call("PING"));
        server.Server.Clients.Snapshot().Single().Protocol = 3;
        Assert.Equal("%1\r\n" + Bulk("timeout") + Bulk("0"), raw.Call("CONFIG", "GET", "timeout"));
        Assert.Equal("%0\r\n", raw.Call("CONFIG", "GET", "nope*"));
    }

    [Theory]
    [InlineData(new[] { "foo", "bar" }, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData(new[] { "hz", "5", "foo", "1" }, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData(new[] { "maxclients", "abc" }, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer")]
    [InlineData(new[] { "maxclients", "0" }, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive")]
    [InlineData(new[] { "daemonize", "yes" }, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")]
    [InlineData(new[] { "daemonize", "no", "foo", "1" }, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")]
    [InlineData(new[] { "dir", "/tmp" }, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")]
    [InlineData(new[] { "hz", "5", "hz", "6" }, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter")]
    [InlineData(new[] { "HZ", "5", "Hz", "6" }, "ERR CONFIG SET failed (possibly related to argument 'Hz') - duplicate parameter")]
    [InlineData(new[] { "maxmemory", "-1" }, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")]
    [InlineData(new[] { "loglevel", "foo" }, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning")]
    [InlineData(new[] { "SLAVE-read-only", "foo" }, "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'")]
    [InlineData(new[] { "save", "1" }, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")]
    [InlineData(new[] { "hz", "+5" }, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")]
    [InlineData(new[] { "hz", "05" }, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")]
    [InlineData(new[] { "proto-max-bulk-len", "1000" }, "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData(new[] { "slowlog-log-slower-than", "-5" }, "ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive")]
    [InlineData(new[] { "client-output-buffer-limit", "foo 1 2 3" }, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.")]
    [InlineData(new[] { "client-output-buffer-limit", "normal 1 2" }, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.")]
    [InlineData(new[] { "oom-score-adj-values", "1 2" }, "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments")]
    [InlineData(new[] { "latency-tracking-info-percentiles", "200" }, "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")]
    [InlineData(new[] { "shutdown-on-sigterm", "save nosave" }, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - shutdown options SAVE and NOSAVE can't be used simultaneously")]
    [InlineData(new[] { "maxmemory-clients", "101%" }, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100")]
    [InlineData(new[] { "notify-keyspace-events", "X" }, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")]
    [InlineData(new[] { "hz", "10", "x" }, "ERR syntax error")]
    [InlineData(new[] { "hz" }, "ERR wrong number of arguments for 'config|set' command")]
    public async Task SetErrorsMatchRedis(string[] args, string error)
    {
        await using var server = TestServer.Start();
        Assert.Equal(Err(error), server.Raw().Call(["CONFIG", "SET", .. args]));
    }

    [Fact]
    public async Task SetIsAllOrNothing()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
            raw.Call("CONFIG", "SET", "hz", "5", "maxmemory", "x"));
        Assert.Equal(10, server.Server.Config.Hz);
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "hz", "5", "maxmemory", "1gb", "maxmemory-policy", "ALLKEYS-LRU"));
        Assert.Equal(5, server.Server.Config.Hz);
        Assert.Equal(1024L * 1024 * 1024, server.Server.Config.MaxMemory);
        Assert.Equal("*2\r\n" + Bulk("maxmemory-policy") + Bulk("allkeys-lru"), raw.Call("CONFIG", "GET", "maxmemory-policy"));
    }

    [Fact]
    public async Task SetNormalizesValuesLikeRedis()
    {
        await using var server = TestServer.Start();
        IServer admin = server.Connect().GetServers()[0];
        async Task<string> RoundTrip(string name, string value)
        {
            await admin.ConfigSetAsync(name, value);
            return (await admin.ConfigGetAsync(name)).Single().Value;
        }
        Assert.Equal("500", await RoundTrip("hz", "1000"));
        Assert.Equal("1", await RoundTrip("hz", "0"));
        Assert.Equal("always", await RoundTrip("appendfsync", "ALWAYS"));
        Assert.Equal("yes", await RoundTrip("appendonly", "YES"));
        Assert.Equal("AKE", await RoundTrip("notify-keyspace-events", "KEA"));
        Assert.Equal("g$lshzxetnKEm", await RoundTrip("notify-keyspace-events", "g$lshzxetnKEm"));
        Assert.Equal("", await RoundTrip("notify-keyspace-events", ""));
        Assert.Equal("100 1 200 2", await RoundTrip("save", "100 1 200 2"));
        Assert.Equal("", await RoundTrip("save", ""));
        Assert.Equal("10%", await RoundTrip("maxmemory-clients", "10%"));
        Assert.Equal("yes", await RoundTrip("oom-score-adj", "relative"));
        Assert.Equal("nosave now", await RoundTrip("shutdown-on-sigterm", "nosave now"));
        Assert.Equal("50 99.99 100", await RoundTrip("latency-tracking-info-percentiles", "50 99.99 100"));
        Assert.Equal("0", await RoundTrip("maxmemory", "kb"));
        Assert.Equal("normal 1048576 2000 3 slave 1 2 3 pubsub 33554432 8388608 60",
            await RoundTrip("client-output-buffer-limit", "normal 1mb 2k 3 replica 1 2 3"));
        // An alias and its parameter share one value.
        Assert.Equal("no", await RoundTrip("slave-read-only", "no"));
        Assert.Equal("no", (await admin.ConfigGetAsync("replica-read-only")).Single().Value);
    }

    [Fact]
    public async Task LiveEffects()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "loglevel", "warning", "slowlog-max-len", "5", "timeout", "0"));
        Assert.Equal(LogLevel.Warning, server.Server.Log.Level);
        Assert.Equal(5, server.Server.Config.SlowlogMaxLen);

        // requirepass: new connections must authenticate, the current one stays authenticated.
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "requirepass", "secret"));
        Assert.Equal(Err("NOAUTH Authentication required."), server.Raw().Call("PING"));
        Assert.Equal("+PONG\r\n", raw.Call("PING"));
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "requirepass", ""));
        Assert.Equal("+PONG\r\n", server.Raw().Call("PING"));

        // proto-max-bulk-len: a bulk larger than the limit is a protocol error.
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "proto-max-bulk-len", "1mb"));
        RawClient big = server.Raw();
        big.Send("*2\r\n$4\r\nECHO\r\n$2000000\r\n");
        Assert.Equal(Err("ERR Protocol error: invalid bulk length"), big.ReadReply());

        // maxclients: connections beyond the limit are refused.
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "maxclients", "1"));
        RawClient refused = server.Raw();
        Assert.Equal(Err("ERR max number of clients reached"), refused.ReadReply());
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "maxclients", "10000"));

        // timeout: idle clients are closed by the cron.
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "timeout", "1", "hz", "100"));
        RawClient idle = server.Raw();
        Assert.Equal("+PONG\r\n", idle.Call("PING"));
        Assert.True(idle.WaitForClose(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ProtectedDirRequiresEnableProtectedConfigs()
    {
        await using var server = TestServer.Start(c => c.EnableProtectedConfigs = "yes");
        RawClient raw = server.Raw();
        string sub = Path.Combine(server.Directory, "data");
        Directory.CreateDirectory(sub);
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "dir", sub));
        Assert.Equal("*2\r\n" + Bulk("dir") + Bulk(sub), raw.Call("CONFIG", "GET", "dir"));
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "dir", ".."));
        Assert.Equal(server.Directory, server.Server.Config.Dir);
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"),
            raw.Call("CONFIG", "SET", "dir", Path.Combine(server.Directory, "missing")));
        File.WriteAllText(Path.Combine(server.Directory, "file"), "");
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory"),
            raw.Call("CONFIG", "SET", "dir", Path.Combine(server.Directory, "file")));
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "dbfilename", "other.rdb"));
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"),
            raw.Call("CONFIG", "SET", "dbfilename", "a/b.rdb"));
    }

    [Fact]
    public async Task ResetStatZeroesCounters()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        raw.Call("PING");
        raw.Call("NOSUCHCOMMAND");
        Assert.True(server.Server.Stats.TotalCommandsProcessed > 0);
        Assert.True(server.Server.Commands.Find("ping")!.Calls > 0);
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "RESETSTAT"));
        // As in Redis, CONFIG RESETSTAT itself is counted after the reset.
        Assert.Equal(1, server.Server.Stats.TotalCommandsProcessed);
        Assert.Equal(0, server.Server.Stats.TotalErrorReplies);
        Assert.Empty(server.Server.Stats.ErrorsByCode);
        Assert.Equal(0, server.Server.Commands.Find("ping")!.Calls);
        Assert.Equal(Err("ERR wrong number of arguments for 'config|resetstat' command"), raw.Call("CONFIG", "RESETSTAT", "x"));
    }

    [Fact]
    public async Task HelpAndContainerErrors()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        string help = raw.Call("CONFIG", "HELP");
        Assert.StartsWith("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n", help);
        Assert.EndsWith("+HELP\r\n+    Prints this help.\r\n", help);
        Assert.Equal(Err("ERR unknown subcommand 'foo'. Try CONFIG HELP."), raw.Call("CONFIG", "foo"));
        Assert.Equal(Err("ERR wrong number of arguments for 'config' command"), raw.Call("CONFIG"));
        Assert.Equal(Err("ERR wrong number of arguments for 'config|help' command"), raw.Call("CONFIG", "HELP", "x"));
    }

    [Fact]
    public async Task RewriteWithoutAConfigFileFails()
    {
        await using var server = TestServer.Start();
        Assert.Equal(Err("ERR The server is running without a config file"), server.Raw().Call("CONFIG", "REWRITE"));
    }

    [Fact]
    public async Task RewriteKeepsTheFileAndUpdatesValues()
    {
        string dir = Path.Combine(Path.GetTempPath(), "amber-rw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string inc = Path.Combine(dir, "inc.conf");
            File.WriteAllText(inc, "maxclients 100\n");
            string path = Path.Combine(dir, "redis.conf");
            File.WriteAllText(path,
                "# top comment\n  port 7103   \nslave-read-only no\nsave 100 1\nsave 200 2\n\n\n\n" +
                $"rename-command KEYS \"\"\ninclude {inc}\nhz 20\nhz 30\ndaemonize yes\n# end\nfoo \"unbalanced\n");
            await using var server = TestServer.Start(c =>
            {
                c.ConfigFile = path;
                c.Hz = 30;
                c.MaxClients = 100;
                c.Daemonize = true;
                c.Save = [new(100, 1), new(200, 2)];
                c.Other["replica-read-only"] = false;
            });
            RawClient raw = server.Raw();
            Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "maxmemory", "1048576", "loglevel", "warning",
                "client-output-buffer-limit", "pubsub 1mb 0 0", "notify-keyspace-events", "Kx", "replica-read-only", "yes", "maxmemory-clients", "5%"));
            Assert.Equal("+OK\r\n", raw.Call("CONFIG", "REWRITE"));
            string expected =
                "# top comment\nport 0\nreplica-read-only yes\nsave 100 1\nsave 200 2\n\n" +
                $"rename-command KEYS \"\"\ninclude {inc}\nhz 30\n\ndaemonize yes\n# end\n# ??? foo \"unbalanced\n\n" +
                "# Generated by CONFIG REWRITE\n" +
                "loglevel warning\n" +
                "maxclients 100\n" +
                "maxmemory 1mb\n" +
                "maxmemory-clients 5%\n" +
                $"dir \"{server.Directory}\"\n" +
                "client-output-buffer-limit pubsub 1mb 0 0\n" +
                "notify-keyspace-events \"xK\"\n" +
                "bind 127.0.0.1\n" +
                "latency-tracking-info-percentiles 50 99 99.9\n";
            Assert.Equal(expected, File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(dir, "redis.conf*"));

            // A second rewrite reuses lines in order, as Redis does: the first client-output-buffer-limit line now
            // holds the (default) normal class and the pubsub class moves to the end.
            Assert.Equal("+OK\r\n", raw.Call("CONFIG", "REWRITE"));
            string second = expected.Replace("client-output-buffer-limit pubsub 1mb 0 0\n", "client-output-buffer-limit normal 0 0 0\n", StringComparison.Ordinal)
                + "\nclient-output-buffer-limit pubsub 1mb 0 0\n";
            Assert.Equal(second, File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task RewriteThroughStackExchangeRedisAndReload()
    {
        await using var server = TestServer.Start();
        string path = Path.Combine(server.Directory, "amber.conf");
        File.WriteAllText(path, "port 0\n");
        server.Server.Config.ConfigFile = path;
        IServer admin = server.Connect().GetServers()[0];
        await admin.ConfigSetAsync("save", "900 1");
        await admin.ConfigSetAsync("requirepass", "p w\"x");
        await admin.ConfigRewriteAsync();
        Config.ServerConfig reloaded = Config.ConfigLoader.FromCommandLine([path], TextReader.Null, changeProcessDirectory: false);
        Assert.Equal([new Config.SavePoint(900, 1)], reloaded.Save);
        Assert.Equal("p w\"x", reloaded.RequirePass);
        Assert.Equal(server.Directory, reloaded.Dir);
    }

    [Fact]
    public async Task ResetStatThroughStackExchangeRedis()
    {
        await using var server = TestServer.Start();
        IServer admin = server.Connect().GetServers()[0];
        await admin.PingAsync();
        await admin.ConfigResetStatisticsAsync();
        Assert.True(server.Server.Stats.TotalCommandsProcessed <= 1);
    }
}

/// <summary>CONFIG SET port and bind re-listen without a restart.</summary>
public class ConfigRebindTests
{
    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task SetPortMovesTheListener()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        int port = FreePort();
        Assert.Equal("+OK\r\n", raw.Call("CONFIG", "SET", "port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([port], server.Server.BoundPorts);
        using (var moved = new RawClient(port))
        {
            Assert.Equal("+PONG\r\n", moved.Call("PING"));
        }
        Assert.Throws<System.Net.Sockets.SocketException>(() => new RawClient(server.Port));
        // The existing connection survives.
        Assert.Equal("+PONG\r\n", raw.Call("PING"));
    }

    [Fact]
    public async Task SetBindThatCannotBeBoundChangesNothing()
    {
        await using var server = TestServer.Start();
        RawClient raw = server.Raw();
        Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
            raw.Call("CONFIG", "SET", "bind", "192.0.2.1"));
        Assert.Equal("*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n", raw.Call("CONFIG", "GET", "bind"));
        using var again = new RawClient(server.Port);
        Assert.Equal("+PONG\r\n", again.Call("PING"));
    }
}

/// <summary>Debian's redis-cli driving CONFIG.</summary>
public class ConfigRedisCliTests
{
    [SkippableFact]
    public async Task RedisCliConfigSetAndGet()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        Assert.Equal("OK", Interop.Run(cli, $"-p {server.Port} config set maxmemory 10mb maxmemory-policy allkeys-lru").Output.Trim());
        Assert.Equal("maxmemory\n10485760\nmaxmemory-policy\nallkeys-lru",
            Interop.Run(cli, $"-p {server.Port} config get maxmemory maxmemory-policy").Output.Trim());
        Assert.Equal("ERR Unknown option or number of arguments for CONFIG SET - 'nope'",
            Interop.Run(cli, $"-p {server.Port} config set nope 1").Output.Trim());
    }
}
