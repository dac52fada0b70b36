using System.Net;
using System.Net.Sockets;
using Amber.Commands;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.RdbPersistence;

namespace Amber.Server;

/// <summary>
/// The running server: databases, the keyspace lock, the command table, listeners and the periodic cron.
/// Everything that changes the dataset runs under <see cref="KeyspaceLock"/>.
/// </summary>
internal sealed partial class AmberServer : IAsyncDisposable
{
    public const string Version = "7.0.15";

    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _cronThread;

    public AmberServer(ServerConfig config, ServerLog log)
    {
        Config = config;
        Log = log;
        Events = new ServerKeyspaceEvents(this);
        Databases = new Database[config.Databases];
        for (int i = 0; i < Databases.Length; i++)
        {
            Databases[i] = new Database(i, Events);
        }
        Commands = CommandRegistry.Build();
        Executor = new CommandExecutor(this);
        SlowLog = new SlowLog(this);
        Blocking = new BlockingRegistry(this);
        PubSub = new Amber.PubSub.PubSubHub(KeyspaceLock);
        Effects = new ServerWriteEffects(this);
        Notifier.Publish = (channel, message) => PubSub.Publish(channel, message);
        RunId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        ReplicationId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        LastSaveUnixSeconds = Stats.StartTimeMs / 1000;
        Rdb = new RdbSaver(this);
        DumpLoader = new RdbFileLoader(this);
        PersistenceInfo = new PersistenceSection(this);
        Info = new InfoBuilder(this);
        Aof = new Persistence.Aof.AofService(this);
    }

    public ServerConfig Config { get; }
    public ServerLog Log { get; }
    public object KeyspaceLock { get; } = new();
    public Database[] Databases { get; private set; }
    public CommandTable Commands { get; }
    public CommandExecutor Executor { get; }
    public ClientRegistry Clients { get; } = new();
    public MonitorFeed Monitors { get; } = new();
    public ClientPause Pause { get; } = new();
    public SlowLog SlowLog { get; }
    public BlockingRegistry Blocking { get; }

    /// <summary>Channels, patterns and shard channels with their subscribers; Publish for commands and notifications.</summary>
    public Amber.PubSub.PubSubHub PubSub { get; }
    public ServerStats Stats { get; } = new();
    public KeyspaceEvents Events { get; }
    public Random Random { get; } = new();
    public string RunId { get; }

    /// <summary>INFO replication's master_replid.</summary>
    public string ReplicationId { get; }

    /// <summary>LASTSAVE and rdb_last_save_time, in Unix seconds: the start time until persistence saves.</summary>
    public long LastSaveUnixSeconds { get; set; }

    /// <summary>INFO's persistence section; persistence code installs its own.</summary>
    public IPersistenceInfo PersistenceInfo { get; set; }

    public InfoBuilder Info { get; }

    /// <summary>Every persistence file access goes through this; tests install a fault-injecting one before Start.</summary>
    public Persistence.Storage.IFileSystem FileSystem { get; set; } = Persistence.Storage.OsFileSystem.Instance;

    /// <summary>The append-only file: loading, the writer, CONFIG SET appendonly, INFO aof_* fields.</summary>
    public Persistence.Aof.AofService Aof { get; }

    /// <summary>Changes since the last successful save (Redis's server.dirty): save points and INFO read it.</summary>
    public long Dirty;

    /// <summary>WATCH invalidation and keyspace notifications for changed keys; see CommandContext.KeyWritten.</summary>
    public Notifications.WriteEffects Effects { get; set; } = new();

    /// <summary>Whether the cron reclaims expired keys nobody touches (DEBUG SET-ACTIVE-EXPIRE; tests of lazy expiry turn it off).</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    /// <summary>The TCP ports actually bound (differs from the configured port when it was 0 in tests).</summary>
    public IReadOnlyList<int> BoundPorts => _listeners.ConvertAll(l => ((IPEndPoint)l.LocalEndPoint!).Port);

    /// <summary>Completes when the server has shut down (SHUTDOWN command or a signal).</summary>
    public Task Stopped => _stopped.Task;

    public CancellationToken StoppingToken => _stopping.Token;

    /// <summary>Set by the executable so SHUTDOWN and signals end the process the same way.</summary>
    public Func<ShutdownRequest, bool>? ShutdownHandler { get; set; }

    public void Start()
    {
        // The AOF when on (the source of truth), else dump.rdb: marked loading now, loaded once the listeners are up.
        BeginStartupLoad();
        foreach (string address in Config.Bind)
        {
            bool optional = address.StartsWith('-');
            string host = optional ? address[1..] : address;
            try
            {
                _listeners.Add(Listen(host, Config.Port));
            }
            catch (SocketException e) when (optional)
            {
                Log.Verbose($"Could not bind optional address {host}:{Config.Port}: {e.Message}");
            }
            catch (SocketException e)
            {
                Log.Warning($"Warning: Could not create server TCP listening socket {host}:{Config.Port}: {e.Message}");
                foreach (Socket l in _listeners)
                {
                    l.Dispose();
                }
                throw;
            }
        }
        _listeningOn = ListenTarget;
        foreach (Socket listener in _listeners)
        {
            _ = AcceptLoopAsync(listener);
        }
        _cronThread = new Thread(CronLoop) { IsBackground = true, Name = "amber-cron" };
        _cronThread.Start();
        RunStartupLoad();
    }

    private Socket Listen(string host, int port)
    {
        IPAddress ip = host is "*" or "0.0.0.0" ? IPAddress.Any : host == "::*" ? IPAddress.IPv6Any : IPAddress.Parse(host);
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ip, port));
            socket.Listen(Config.TcpBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        // A connecting client ends the event thread's poll as a request does (on .NET's engine; Amber's loop accepts there).
        Hosting.TurnPoll.Shared?.Watch(listener);
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets)
            {
                // Out of descriptors (ulimit -n; maxclients is kept below it, see OpenFilesLimit): the connection stays
                // queued and the next accept retries at once, as Redis's does. Not a timer: under the limit the runtime
                // cannot start the thread a timer needs, and the retry would never come.
                LogAcceptFailure(e);
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested || IsRetired(listener))
                {
                    return;
                }
                continue;
            }
            Accept(socket);
        }
    }

    // Accepts that keep failing log at most once a second (Redis logs each failure).
    private long _lastAcceptFailureLogMs = -1000;

    private void LogAcceptFailure(SocketException e)
    {
        long now = Environment.TickCount64;
        if (now - _lastAcceptFailureLogMs >= 1000)
        {
            _lastAcceptFailureLogMs = now;
            Log.Warning($"Accepting client connection: {e.Message}");
        }
    }

    private void Accept(Socket socket)
    {
        Interlocked.Increment(ref Stats.TotalConnectionsReceived);
        socket.NoDelay = true;
        if (Config.TcpKeepAliveSeconds > 0)
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Config.TcpKeepAliveSeconds);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, Config.TcpKeepAliveSeconds / 3));
        }
        if (Clients.Count >= Config.MaxClients)
        {
            Interlocked.Increment(ref Stats.RejectedConnections);
            try
            {
                socket.Send("-ERR max number of clients reached\r\n"u8);
            }
            catch (SocketException)
            {
            }
            socket.Dispose();
            return;
        }
        var session = new ClientSession(Clients.NextId(), this, socket.RemoteEndPoint, socket.LocalEndPoint)
        {
            Authenticated = Config.RequirePass.Length == 0,
        };
        Hosting.ClientTransport transport;
        try
        {
            transport = Hosting.EventLoop.Shared is { } loop ? new Hosting.EventLoopSocket(socket, loop) : new Hosting.DotNetSocketTransport(socket);
        }
        catch (SocketException e)
        {
            Log.Warning($"Could not watch an accepted client's socket: {e.Message}");
            socket.Dispose();
            return;
        }
        var connection = new ClientConnection(socket, transport, this, session);
        Clients.Add(session);
        transport.Start(connection.RunAsync);
    }

    private void CronLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            int hz = Math.Clamp(Config.Hz, 1, 500);
            int periodMs = 1000 / hz;
            if (_stopping.Token.WaitHandle.WaitOne(periodMs))
            {
                return;
            }
            try
            {
                Cron(periodMs);
            }
            catch (Exception e)
            {
                Log.Warning($"Error in server cron: {e}");
            }
        }
    }

    /// <summary>Periodic work, as Redis's serverCron: active expiry, incremental rehash, client timeouts, stats.</summary>
    internal void Cron(int periodMs)
    {
        lock (KeyspaceLock)
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            // Active expiry may use a quarter of the cycle, as Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC.
            long deadline = Environment.TickCount64 + Math.Max(1, periodMs / 4);
            foreach (Database db in Databases)
            {
                // As Redis, no active expiry while clients are paused (the dataset must not change), nor while the
                // AOF loads into the live databases (a later command may still touch a key whose time has passed).
                if (db.VolatileCount > 0 && ActiveExpireEnabled && !Pause.Active && !Loading.Active)
                {
                    db.ActiveExpire(now, Random, deadline);
                }
                if (Config.ActiveRehashing)
                {
                    db.Maintain(1);
                }
            }
            Rdb.Cron();
            Aof.Cron();
        }
        Stats.SampleOps();
        Info.SampleMemory();
        CloseTimedOutClients();
    }

    private void CloseTimedOutClients()
    {
        int timeout = Config.TimeoutSeconds;
        if (timeout <= 0)
        {
            return;
        }
        long now = Environment.TickCount64;
        foreach (ClientSession c in Clients.Snapshot())
        {
            if (!c.IsMonitor && !c.PausePending && !c.IsBlocked && !c.IsPubSub && now - c.LastInteractionMs > timeout * 1000L)
            {
                Log.Verbose("Closing idle client");
                c.Close();
            }
        }
    }

    /// <summary>Empties every database (FLUSHALL).</summary>
    public void FlushAll()
    {
        foreach (Database db in Databases)
        {
            db.Clear();
        }
    }

    /// <summary>Asks the host to shut down; returns false if it refused (e.g. a failed save), with the error logged.</summary>
    public bool RequestShutdown(ShutdownRequest request)
    {
        if (ShutdownHandler != null)
        {
            return ShutdownHandler(request);
        }
        if (!Rdb.SaveBeforeExit(request))
        {
            return false;
        }
        _ = StopAsync();
        return true;
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }
        _stopping.Cancel();
        lock (KeyspaceLock)
        {
            Rdb.KillBackgroundSave();
        }
        AbortSnapshotForShutdown();
        foreach (Socket l in _listeners)
        {
            l.Dispose();
        }
        foreach (ClientSession c in Clients.Snapshot())
        {
            c.Close();
        }
        // SHUTDOWN stops the server from inside a command, holding the keyspace lock the cron may be waiting for.
        if (!Monitor.IsEntered(KeyspaceLock))
        {
            _cronThread?.Join(TimeSpan.FromSeconds(2));
        }
        lock (KeyspaceLock)
        {
            Aof.Shutdown();
        }
        _stopped.TrySetResult();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private sealed class ServerKeyspaceEvents(AmberServer server) : KeyspaceEvents
    {
        private string _policy = "";
        private bool _lfu;

        public override void OnExpired(Database db, Entry entry)
        {
            server.Stats.ExpiredKeys++;
            if (server.Propagation.Active)
            {
                server.Propagation.KeyDeleted(db.Index, entry.Key, server.Config.LazyfreeLazyExpire);
            }
            server.Effects.Notify(Notifications.NotifyFlags.Expired, "expired", entry.Key, db.Index);
            server.Effects.KeyModified(db.Index, entry.Key);
        }

        public override void OnKeyAdded(Database db, Entry entry)
        {
            server.Blocking.SignalKeyAdded(db.Index, entry.Key);
            server.Effects.Notify(Notifications.NotifyFlags.New, "new", entry.Key, db.Index);
        }

        public override bool TrackFrequency
        {
            get
            {
                // Re-derived only when CONFIG SET replaced the policy string, so a lookup pays one reference compare.
                string policy = server.Config.MaxMemoryPolicy;
                if (!ReferenceEquals(policy, _policy))
                {
                    _lfu = AccessTracking.IsLfu(policy);
                    _policy = policy;
                }
                return _lfu;
            }
        }
    }
}

/// <summary>What SHUTDOWN asked for.</summary>
internal readonly record struct ShutdownRequest(bool? Save, bool Now, bool Force);
