using System.Text;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>MULTI / EXEC / DISCARD / WATCH / UNWATCH, byte for byte as Redis 7.0.</summary>
public class TransactionTests
{
    private const string Queued = "+QUEUED\r\n";
    private const string NullArray = "*-1\r\n";
    private const string ExecAbort = "-EXECABORT Transaction discarded because of previous errors.\r\n";

    [Fact]
    public async Task ErrorsOutsideMulti()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal("-ERR EXEC without MULTI\r\n", c.Call("EXEC"));
        Assert.Equal("-ERR DISCARD without MULTI\r\n", c.Call("DISCARD"));
        Assert.Equal("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", c.Call("EXEC", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'discard' command\r\n", c.Call("DISCARD", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'multi' command\r\n", c.Call("MULTI", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'watch' command\r\n", c.Call("WATCH"));
        Assert.Equal("-ERR wrong number of arguments for 'unwatch' command\r\n", c.Call("UNWATCH", "x"));
        Assert.Equal("+OK\r\n", c.Call("UNWATCH"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Fact]
    public async Task QueuesAndExecutes()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal(Queued, c.Call("SET", "a", "1"));
        Assert.Equal(Queued, c.Call("GET", "a"));
        Assert.Equal(Queued, c.Call("SELECT", "1"));
        Assert.Equal(Queued, c.Call("SET", "a", "2"));
        Assert.Equal("*4\r\n+OK\r\n$1\r\n1\r\n+OK\r\n+OK\r\n", c.Call("EXEC"));
        Assert.Equal("$1\r\n2\r\n", c.Call("GET", "a"));
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal("*0\r\n", c.Call("EXEC"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", c.Call("EXEC"));
    }

    [Fact]
    public async Task RuntimeErrorsDoNotRollBack()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("MULTI");
        c.Call("SET", "a", "1");
        c.Call("LPUSH", "a", "x");
        c.Call("INCR", "a");
        c.Call("SET", "b", "1", "EX", "0");
        Assert.Equal("*4\r\n+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:2\r\n-ERR invalid expire time in 'set' command\r\n", c.Call("EXEC"));
        Assert.Equal("$1\r\n2\r\n", c.Call("GET", "a"));
    }

    [Fact]
    public async Task RejectedCommandsAbortTheTransaction()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        string[][] rejected =
        [
            ["NOSUCH", "x"],
            ["SET", "a"],
            ["CLIENT", "NOSUCH"],
            ["MULTI", "x"],
            ["DISCARD", "x"],
            ["SHUTDOWN"],
        ];
        string[] errors =
        [
            "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n",
            "-ERR wrong number of arguments for 'set' command\r\n",
            "-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n",
            "-ERR wrong number of arguments for 'multi' command\r\n",
            "-ERR wrong number of arguments for 'discard' command\r\n",
            "-ERR Command not allowed inside a transaction\r\n",
        ];
        for (int i = 0; i < rejected.Length; i++)
        {
            Assert.Equal("+OK\r\n", c.Call("MULTI"));
            Assert.Equal(Queued, c.Call("SET", "k", "v"));
            Assert.Equal(errors[i], c.Call(rejected[i]));
            Assert.Equal(Queued, c.Call("SET", "k2", "v"));
            Assert.Equal(ExecAbort, c.Call("EXEC"));
            Assert.Equal("*0\r\n", c.Call("KEYS", "*"));
        }
        // EXEC itself rejected inside MULTI: the transaction is discarded with the reason.
        c.Call("MULTI");
        c.Call("SET", "k", "v");
        Assert.Equal("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", c.Call("EXEC", "x"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", c.Call("EXEC"));
        Assert.Equal("*0\r\n", c.Call("KEYS", "*"));
    }

    [Fact]
    public async Task ControlErrorsInsideMultiDoNotAbort()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("MULTI");
        Assert.Equal("-ERR MULTI calls can not be nested\r\n", c.Call("MULTI"));
        Assert.Equal("-ERR WATCH inside MULTI is not allowed\r\n", c.Call("WATCH", "x"));
        Assert.Equal(Queued, c.Call("UNWATCH"));
        Assert.Equal(Queued, c.Call("SET", "a", "1"));
        Assert.Equal("*2\r\n+OK\r\n+OK\r\n", c.Call("EXEC"));
        // A failing command does not flag the transaction; only a rejected one does.
        Assert.Equal(1, server.Server.Commands.Find("watch"u8)!.FailedCalls);
        Assert.Equal(1, server.Server.Commands.Find("multi"u8)!.FailedCalls);
    }

    [Fact]
    public async Task DiscardAndReset()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("WATCH", "w");
        c.Call("MULTI");
        c.Call("SET", "a", "1");
        Assert.Equal("+OK\r\n", c.Call("DISCARD"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", c.Call("EXEC"));
        Assert.Equal(0, server.Server.Watches.Count);
        Assert.Equal("$-1\r\n", c.Call("GET", "a"));

        c.Call("WATCH", "w");
        c.Call("MULTI");
        c.Call("SET", "a", "1");
        Assert.Equal("+RESET\r\n", c.Call("RESET"));
        Assert.Equal(0, server.Server.Watches.Count);
        Assert.Equal("-ERR EXEC without MULTI\r\n", c.Call("EXEC"));
        Assert.Equal("$-1\r\n", c.Call("GET", "a"));
        Assert.Contains(" flags=N ", c.Call("CLIENT", "INFO"));
    }

    [Fact]
    public async Task WatchedKeyChangedByAnotherClientFailsExec()
    {
        await using var server = TestServer.Start();
        var a = server.Raw();
        var b = server.Raw();
        a.Call("SET", "k", "1");
        Assert.Equal("+OK\r\n", a.Call("WATCH", "k", "other"));
        Assert.Equal("+OK\r\n", b.Call("SET", "k", "2"));
        Assert.Contains(" flags=d ", a.Call("CLIENT", "INFO"));
        a.Call("MULTI");
        Assert.Equal(Queued, a.Call("SET", "k", "3"));
        Assert.Contains(" flags=xd ", b.Call("CLIENT", "LIST"));
        Assert.Equal(NullArray, a.Call("EXEC"));
        Assert.Equal("$1\r\n2\r\n", a.Call("GET", "k"));
        Assert.Equal(0, server.Server.Watches.Count);

        // Untouched watches let EXEC run.
        a.Call("WATCH", "k");
        b.Call("GET", "k");
        b.Call("SET", "unrelated", "1");
        b.Call("SETNX", "k", "x");
        a.Call("MULTI");
        a.Call("SET", "k", "3");
        Assert.Equal("*1\r\n+OK\r\n", a.Call("EXEC"));
    }

    [Fact]
    public async Task OwnWritesDeletesAndResp3()
    {
        await using var server = TestServer.Start();
        var a = server.Raw();
        var b = server.Raw();
        a.Call("SET", "k", "1");
        a.Call("WATCH", "k");
        a.Call("INCR", "k");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));

        a.Call("WATCH", "k");
        b.Call("DEL", "k");
        a.Call("HELLO", "3");
        a.Call("MULTI");
        Assert.Equal("_\r\n", a.Call("EXEC"));

        // A key watched while missing is touched when created.
        a.Call("WATCH", "k");
        b.Call("LPUSH", "k", "x");
        a.Call("MULTI");
        Assert.Equal("_\r\n", a.Call("EXEC"));

        // UNWATCH forgets the touched state.
        a.Call("WATCH", "k");
        b.Call("LPOP", "k");
        Assert.Contains(" flags=d ", a.Call("CLIENT", "INFO"));
        a.Call("UNWATCH");
        Assert.Contains(" flags=N ", a.Call("CLIENT", "INFO"));
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));
    }

    [Fact]
    public async Task WatchIsPerDatabase()
    {
        await using var server = TestServer.Start();
        var a = server.Raw();
        var b = server.Raw();
        a.Call("WATCH", "k");
        b.Call("SELECT", "1");
        b.Call("SET", "k", "1");
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));
        a.Call("SELECT", "1");
        a.Call("WATCH", "k");
        b.Call("MOVE", "k", "0");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));
    }

    [Fact]
    public async Task FlushAndSwapTouchWatchedKeysThatExist()
    {
        await using var server = TestServer.Start();
        var a = server.Raw();
        var b = server.Raw();
        a.Call("WATCH", "missing");
        b.Call("FLUSHDB");
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));

        a.Call("SET", "w", "1");
        a.Call("WATCH", "w");
        b.Call("FLUSHDB");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));

        a.Call("SET", "w", "1");
        a.Call("WATCH", "w");
        b.Call("FLUSHALL");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));

        // SWAPDB: touched when the key exists in either database.
        a.Call("WATCH", "zz");
        b.Call("SWAPDB", "0", "1");
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));
        b.Call("SELECT", "1");
        b.Call("SET", "w", "1");
        a.Call("WATCH", "w");
        b.Call("SWAPDB", "0", "1");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));
        a.Call("WATCH", "w");
        b.Call("SWAPDB", "0", "1");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));
    }


    /// <summary>
    /// Sets "e" with a short TTL and watches it while it is provably still live (a loaded machine can otherwise let
    /// it expire before WATCH, which is the different "already expired when watched" case), then lets the TTL pass
    /// without touching the key (any access would reclaim it).
    /// </summary>
    private static void WatchUntilExpired(RawClient client)
    {
        for (int ttl = 100; ; ttl *= 2)
        {
            // Started before SET runs, so the key expires no earlier than ttl after it.
            var sinceSet = System.Diagnostics.Stopwatch.StartNew();
            client.Call("SET", "e", "1", "PX", ttl.ToString(System.Globalization.CultureInfo.InvariantCulture));
            client.Call("WATCH", "e");
            if (sinceSet.ElapsedMilliseconds < ttl)
            {
                Thread.Sleep(ttl + 20);
                return;
            }
            client.Call("UNWATCH");
            Assert.True(ttl < 60_000, "could not watch a live key");
        }
    }
    [Fact]
    public async Task ExpiryCountsAsAChange()
    {
        await using var server = TestServer.Start();
        server.Server.ActiveExpireEnabled = false;
        var a = server.Raw();
        var b = server.Raw();

        // Expired after WATCH, still present at EXEC.
        WatchUntilExpired(a);
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));

        // Expired after WATCH and reclaimed by another client's access.
        WatchUntilExpired(a);
        Assert.Equal("$-1\r\n", b.Call("GET", "e"));
        Assert.Contains(" flags=d ", a.Call("CLIENT", "INFO"));
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));

        // Already expired when watched: reclaiming it is no change, writing it is.
        a.Call("SET", "e", "1", "PX", "1");
        Thread.Sleep(10);
        a.Call("WATCH", "e");
        b.Call("GET", "e");
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));
        a.Call("SET", "e", "1", "PX", "1");
        Thread.Sleep(10);
        a.Call("WATCH", "e");
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));
        a.Call("SET", "e", "1", "PX", "1");
        Thread.Sleep(10);
        a.Call("WATCH", "e");
        b.Call("SET", "e", "2");
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));
        a.Call("SET", "e", "1", "PX", "1");
        Thread.Sleep(10);
        a.Call("WATCH", "e");
        b.Call("FLUSHDB");
        a.Call("MULTI");
        Assert.Equal("*0\r\n", a.Call("EXEC"));

        // Active expiry.
        server.Server.ActiveExpireEnabled = true;
        a.Call("SET", "e", "1", "PX", "30");
        a.Call("WATCH", "e");
        long deadline = Environment.TickCount64 + 10_000;
        while (!a.Call("CLIENT", "INFO").Contains(" flags=d "))
        {
            Assert.True(Environment.TickCount64 < deadline, "active expiry did not touch the watch");
            Thread.Sleep(10);
        }
        a.Call("MULTI");
        Assert.Equal(NullArray, a.Call("EXEC"));
    }

    [Fact]
    public async Task DisconnectUnwatches()
    {
        await using var server = TestServer.Start();
        using (var a = new RawClient(server.Port))
        {
            a.Call("WATCH", "x", "y", "z");
            Assert.Equal(3, server.Server.Watches.Count);
        }
        long deadline = Environment.TickCount64 + 10_000;
        while (server.Server.Watches.Count != 0)
        {
            Assert.True(Environment.TickCount64 < deadline);
            Thread.Sleep(5);
        }
        // Watching the same key twice watches once.
        var b = server.Raw();
        b.Call("WATCH", "x", "x");
        b.Call("WATCH", "x");
        Assert.Equal(1, server.Server.Watches.Count);
    }

    [Fact]
    public async Task BlockingCommandsDoNotBlockInsideExec()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("MULTI");
        c.Call("BLPOP", "nol", "0");
        c.Call("BRPOP", "nol", "0");
        c.Call("BLMOVE", "nol", "x", "LEFT", "LEFT", "0");
        c.Call("BRPOPLPUSH", "nol", "x", "0");
        c.Call("BLMPOP", "0", "1", "nol", "LEFT");
        c.Call("RPUSH", "l", "a");
        c.Call("BLPOP", "l", "0");
        Assert.Equal("*7\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nl\r\n$1\r\na\r\n", c.Call("EXEC"));
        // Blocking works again after EXEC.
        var other = server.Raw();
        c.SendCommand("BLPOP", "l", "0");
        Assert.False(c.Poll(TimeSpan.FromMilliseconds(100)));
        other.Call("RPUSH", "l", "b");
        Assert.Equal("*2\r\n$1\r\nl\r\n$1\r\nb\r\n", c.ReadReply());
    }

    [Fact]
    public async Task BlockedClientsAreServedAfterExecAsAWhole()
    {
        await using var server = TestServer.Start();
        var waiter = server.Raw();
        var c = server.Raw();
        waiter.SendCommand("BLPOP", "q", "0");
        WaitUntil(() => c.Call("CLIENT", "LIST").Contains(" flags=b "));
        c.Call("MULTI");
        c.Call("RPUSH", "q", "a");
        c.Call("LPOP", "q");
        c.Call("RPUSH", "q", "b");
        Assert.Equal("*3\r\n:1\r\n$1\r\na\r\n:1\r\n", c.Call("EXEC"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\nb\r\n", waiter.ReadReply());

        // Emptied again within the transaction: the waiter keeps waiting.
        waiter.SendCommand("BLPOP", "q", "0");
        WaitUntil(() => c.Call("CLIENT", "LIST").Contains(" flags=b "));
        c.Call("MULTI");
        c.Call("RPUSH", "q", "a");
        c.Call("LPOP", "q");
        c.Call("EXEC");
        Assert.False(waiter.Poll(TimeSpan.FromMilliseconds(100)));
        c.Call("RPUSH", "q", "z");
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\nz\r\n", waiter.ReadReply());
    }

    [Fact]
    public async Task ClientPauseHoldsQueuedWritesAndExecOfWrites()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        var admin = server.Raw();
        c.Call("SET", "k", "1");

        // Queueing a write waits out a WRITE pause, as in Redis.
        c.Call("MULTI");
        admin.Call("CLIENT", "PAUSE", "60000", "WRITE");
        c.SendCommand("SET", "k", "2");
        Assert.False(c.Poll(TimeSpan.FromMilliseconds(150)));
        admin.Call("CLIENT", "UNPAUSE");
        Assert.Equal(Queued, c.ReadReply());
        Assert.Equal("*1\r\n+OK\r\n", c.Call("EXEC"));

        // EXEC of reads only is not held.
        c.Call("MULTI");
        c.Call("GET", "k");
        admin.Call("CLIENT", "PAUSE", "60000", "WRITE");
        Assert.Equal("*1\r\n$1\r\n2\r\n", c.Call("EXEC"));
        admin.Call("CLIENT", "UNPAUSE");

        // EXEC of a transaction with a write is held.
        c.Call("MULTI");
        c.Call("SET", "k", "3");
        admin.Call("CLIENT", "PAUSE", "60000", "WRITE");
        c.SendCommand("EXEC");
        Assert.False(c.Poll(TimeSpan.FromMilliseconds(150)));
        Assert.Contains(" flags=xb ", admin.Call("CLIENT", "LIST"));
        Assert.Equal("$1\r\n2\r\n", admin.Call("GET", "k"));
        admin.Call("CLIENT", "UNPAUSE");
        Assert.Equal("*1\r\n+OK\r\n", c.ReadReply());
        Assert.Equal("$1\r\n3\r\n", admin.Call("GET", "k"));
    }

    [Fact]
    public async Task ClientListShowsTransactionState()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        var other = server.Raw();
        Assert.Contains(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ", c.Call("CLIENT", "INFO"));
        c.Call("MULTI");
        c.Call("SET", "k", "v");
        c.Call("SET", "k", "v");
        string line = other.Call("CLIENT", "LIST").Split('\n').First(l => l.Contains(" cmd=set "));
        Assert.Contains(" flags=x ", line);
        Assert.Contains(" multi=2 ", line);
        // Redis's argv_len_sums: argument bytes plus a pointer per argument.
        Assert.Contains(" multi-mem=58 ", line);
        c.Call("CLIENT", "INFO");
        string inside = c.Call("EXEC");
        Assert.Contains(" flags=x ", inside);
        Assert.Contains(" multi=3 ", inside);
        Assert.Contains(" cmd=exec ", inside);
        string after = c.Call("CLIENT", "INFO");
        Assert.Contains(" multi=-1 ", after);
        Assert.Contains(" multi-mem=0 ", after);

        // An aborted transaction queues nothing more.
        c.Call("MULTI");
        c.Call("NOSUCH");
        c.Call("SET", "k", "v");
        Assert.Contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=0 ", other.Call("CLIENT", "LIST").Split('\n').First(l => l.Contains(" cmd=set ")));
        Assert.Equal(ExecAbort, c.Call("EXEC"));
    }

    [Fact]
    public async Task QueuedCommandsAreCountedWhenExecuted()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        var get = server.Server.Commands.Find("get"u8)!;
        long before = server.Server.Stats.TotalCommandsProcessed;
        c.Call("MULTI");
        c.Call("GET", "k");
        c.Call("GET", "k");
        Assert.Equal(0, get.Calls);
        Assert.Equal(before + 1, server.Server.Stats.TotalCommandsProcessed);
        c.Call("EXEC");
        Assert.Equal(2, get.Calls);
        Assert.Equal(before + 4, server.Server.Stats.TotalCommandsProcessed);

        var exec = server.Server.Commands.Find("exec"u8)!;
        c.Call("MULTI");
        c.Call("NOSUCH");
        c.Call("EXEC");
        Assert.Equal(1, exec.FailedCalls);
        c.Call("MULTI");
        c.Call("INCR", "nothing-wrong");
        c.Call("LPUSH", "nothing-wrong", "x");
        c.Call("EXEC");
        // The queued command's error is its own, not EXEC's.
        Assert.Equal(1, exec.FailedCalls);
        Assert.Equal(1, server.Server.Commands.Find("lpush"u8)!.FailedCalls);
        Assert.Equal(3, exec.Calls);
    }

    [Fact]
    public async Task QueuedArgumentsSurviveLaterBatches()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        var sb = new StringBuilder("MULTI\r\n");
        for (int i = 0; i < 200; i++)
        {
            sb.Append($"SET key{i} {new string((char)('a' + (i % 26)), 500)}{i}\r\n");
        }
        c.Send(sb.ToString());
        Assert.Equal("+OK\r\n", c.ReadReply());
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(Queued, c.ReadReply());
        }
        // Later requests reuse the receive buffer before EXEC.
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(Queued, c.Call("ECHO", new string('z', 3000)));
        }
        string reply = c.Call("EXEC");
        Assert.StartsWith("*220\r\n+OK\r\n", reply);
        for (int i = 0; i < 200; i += 37)
        {
            string value = new string((char)('a' + (i % 26)), 500) + i;
            Assert.Equal($"${value.Length}\r\n{value}\r\n", c.Call("GET", $"key{i}"));
        }
    }

    [Fact]
    public async Task WritesInsideExecCountDirtyAndNotify()
    {
        await using var server = TestServer.Start();
        var sink = new AmberEventSink(server, "KEA");
        var c = server.Raw();
        long dirty = server.Server.Dirty;
        c.Call("MULTI");
        c.Call("SET", "a", "1");
        c.Call("GET", "a");
        c.Call("RPUSH", "l", "x", "y");
        c.Call("EXEC");
        Assert.Equal(dirty + 3, server.Server.Dirty);
        Assert.Equal(
            ["__keyspace@0__:a set", "__keyevent@0__:set a", "__keyspace@0__:l rpush", "__keyevent@0__:rpush l"],
            sink.Take());
    }

    [Fact]
    public async Task StackExchangeTransactionsWithConditions()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        db.StringSet("balance", "10");

        ITransaction ok = db.CreateTransaction();
        ok.AddCondition(Condition.StringEqual("balance", "10"));
        ok.AddCondition(Condition.KeyNotExists("lock"));
        Task<long> incr = ok.StringIncrementAsync("balance", 5);
        Task<bool> set = ok.StringSetAsync("lock", "1");
        Assert.True(await ok.ExecuteAsync());
        Assert.Equal(15, await incr);
        Assert.True(await set);

        ITransaction failing = db.CreateTransaction();
        failing.AddCondition(Condition.KeyNotExists("lock"));
        Task<long> notRun = failing.StringIncrementAsync("balance", 100);
        Assert.False(await failing.ExecuteAsync());
        Assert.True(notRun.IsCanceled);
        Assert.Equal("15", (string?)db.StringGet("balance"));

        ITransaction lists = db.CreateTransaction();
        lists.AddCondition(Condition.ListLengthEqual("queue", 0));
        _ = lists.ListRightPushAsync("queue", ["a", "b"]);
        Task<RedisValue> popped = lists.ListLeftPopAsync("queue");
        Assert.True(await lists.ExecuteAsync());
        Assert.Equal("a", (string?)await popped);
        Assert.Equal(0, server.Server.Watches.Count);
    }

    [Fact]
    public async Task StackExchangeConcurrentIncrementsWithWatchRetry()
    {
        await using var server = TestServer.Start();
        using var mux1 = server.Connect();
        using var mux2 = server.Connect();
        IDatabase[] dbs = [mux1.GetDatabase(), mux2.GetDatabase()];
        dbs[0].StringSet("counter", "0");
        int retries = 0;
        async Task Worker(IDatabase db)
        {
            for (int i = 0; i < 50; i++)
            {
                while (true)
                {
                    string current = (string)(await db.StringGetAsync("counter"))!;
                    ITransaction t = db.CreateTransaction();
                    t.AddCondition(Condition.StringEqual("counter", current));
                    _ = t.StringSetAsync("counter", (long.Parse(current) + 1).ToString());
                    if (await t.ExecuteAsync())
                    {
                        break;
                    }
                    Interlocked.Increment(ref retries);
                }
            }
        }
        await Task.WhenAll(Worker(dbs[0]), Worker(dbs[1]));
        Assert.Equal("100", (string?)dbs[0].StringGet("counter"));
    }

    [Fact]
    public async Task MonitorShowsQueuedCommandsWhenExecutedAndExecAfterThem()
    {
        await using var server = TestServer.Start();
        var monitor = server.Raw();
        var c = server.Raw();
        Assert.Equal("+OK\r\n", monitor.Call("MONITOR"));
        c.Call("MULTI");
        c.Call("SET", "a", "1");
        c.Call("GET", "a");
        c.Call("EXEC");
        c.Call("MULTI");
        c.Call("NOSUCH");
        c.Call("EXEC");
        c.Call("MULTI");
        c.Call("DISCARD");
        c.Call("EXEC", "x");
        c.Call("MULTI");
        c.Call("MONITOR");
        Assert.Equal("*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n", c.Call("EXEC"));
        string[] expected =
        [
            "\"MULTI\"", "\"SET\" \"a\" \"1\"", "\"GET\" \"a\"", "\"EXEC\"", "\"MULTI\"", "\"EXEC\"", "\"MULTI\"", "\"DISCARD\"",
            "\"EXEC\" \"x\"", "\"MULTI\"", "\"EXEC\"",
        ];
        foreach (string line in expected)
        {
            Assert.EndsWith("] " + line + "\r\n", monitor.ReadReply());
        }
    }

    [SkippableFact]
    public async Task RedisCliTransactionAndCommandInfoMatchRedis()
    {
        string cli = Interop.RequireTool("redis-cli");
        using var redis = RealRedis.Start();
        await using var server = TestServer.Start();
        const string Script = "MULTI\nSET a 1\nINCR a\nLPUSH a x\nEXEC\nMULTI\nNOSUCH\nEXEC\nWATCH a\nSET a 2\nMULTI\nEXEC\n";
        string want = Interop.Run(cli, $"-p {redis.Port}", Script).Output;
        Assert.Equal(want, Interop.Run(cli, $"-p {server.Port}", Script).Output);
        using var expected = redis.Connect();
        var actual = server.Raw();
        foreach (string name in new[] { "multi", "exec", "discard", "watch", "unwatch" })
        {
            Assert.Equal(expected.Call("COMMAND", "INFO", name), actual.Call("COMMAND", "INFO", name));
        }
    }

    private static void WaitUntil(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not reached");
            Thread.Sleep(5);
        }
    }
}
