using System.Globalization;
using Amber.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Amber.Tests.Propagation;

/// <summary>
/// The replay property: what Amber propagates, replayed into an empty server, rebuilds the same dataset. Random
/// command streams (fixed seeds; every data type, expiries, transactions, several databases, blocking pops served
/// by another client, keys expiring on access) run against Amber with a capturing sink; the captured stream is then
/// sent as it is to a fresh Amber and to a real redis-server, and DEBUG DIGEST must agree on all three.
/// </summary>
public class PropagationReplayTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ReplayingTheStreamRebuildsTheDataset(int seed)
    {
        await using var source = TestServer.Start(c => c.EnableDebugCommand = "yes");
        CapturingSink sink = CapturingSink.Attach(source);
        var main = source.Raw();
        var generator = new RandomCommands(new Random(seed));
        int errors = 0;
        // (stream length, digest) now and then: the replay must match at every one, not only at the end.
        var checkpoints = new List<(int Length, string Digest)>();
        for (int step = 0; step < 3000; step++)
        {
            if (step % 250 == 0)
            {
                checkpoints.Add((sink.Bytes.Length, Digest(main)));
            }
            if (generator.Chance(2))
            {
                ServeBlocked(source, main, generator);
                continue;
            }
            foreach (string[] command in generator.Next())
            {
                errors += main.Call(command).StartsWith('-') ? 1 : 0;
            }
        }
        ExpireOnAccess(main, generator);
        string digest = Digest(main);
        checkpoints.Add((sink.Bytes.Length, digest));
        Assert.NotEqual("+0000000000000000000000000000000000000000\r\n", digest);
        Assert.True(errors < 1000, $"{errors} commands failed: the generator mostly produces nonsense");

        byte[] stream = sink.Bytes;
        List<string[]> commands = RespStream.Parse(stream);
        output.WriteLine($"{errors} failed commands; {commands.Count} entries: " + string.Join(", ",
            commands.GroupBy(c => c[0]).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));
        Assert.True(commands.Count > 1000, $"only {commands.Count} entries propagated");
        Assert.Contains(commands, c => c[0] == "MULTI");
        Assert.Contains(commands, c => c[0] == "SELECT" && c[1] != "0");
        Assert.Contains(commands, c => c[0] == "DEL" && c[1].StartsWith("tmp", StringComparison.Ordinal));

        await using (var replica = TestServer.Start(c => c.EnableDebugCommand = "yes"))
        {
            ReplayCheckpoints(replica.Raw(), stream, checkpoints, "amber");
        }
        if (Interop.Find("redis-server") != null || Interop.Required)
        {
            using var redis = RealRedis.Start("--enable-debug-command yes");
            using var client = redis.Connect();
            ReplayCheckpoints(client, stream, checkpoints, "redis-server");
        }
    }

    private static void ReplayCheckpoints(RawClient client, byte[] stream, List<(int Length, string Digest)> checkpoints, string target)
    {
        int done = 0;
        for (int i = 0; i < checkpoints.Count; i++)
        {
            (int length, string digest) = checkpoints[i];
            byte[] part = stream[done..length];
            Replay(client, part, RespStream.Parse(part).Count);
            done = length;
            Assert.True(digest == Digest(client), $"{target}: digest differs at checkpoint {i} (stream offset {length})");
        }
    }

    /// <summary>Sends the stream as it is (pipelined) and checks every reply: a replayed stream must not fail anywhere.</summary>
    private static void Replay(RawClient client, byte[] stream, int commandCount)
    {
        if (commandCount == 0)
        {
            return;
        }
        const int Chunk = 64 * 1024;
        int sent = 0;
        int read = 0;
        while (read < commandCount)
        {
            // Keep at most one chunk in flight, so neither side's socket buffer fills up.
            if (sent < stream.Length && (read * (long)stream.Length / commandCount) + Chunk > sent)
            {
                int n = Math.Min(Chunk, stream.Length - sent);
                client.Send(stream.AsSpan(sent, n));
                sent += n;
                continue;
            }
            string reply = client.ReadReply();
            Assert.False(reply.StartsWith('-'), $"replayed command {read} failed: {reply}");
            read++;
        }
    }

    private static string Digest(RawClient client) => client.Call("DEBUG", "DIGEST");

    /// <summary>Another client blocks on an empty key; the main client's push serves it (its pop is propagated then).</summary>
    private static void ServeBlocked(TestServer server, RawClient main, RandomCommands generator)
    {
        using var waiter = new RawClient(server.Port);
        int db = generator.Int(3);
        Assert.Equal("+OK\r\n", waiter.Call("SELECT", db.ToString(CultureInfo.InvariantCulture)));
        string key = "bq" + generator.Int(3);
        string other = "bq" + generator.Int(3);
        string[] blocking = generator.Int(7) switch
        {
            0 => ["BLPOP", key, "0"],
            1 => ["BRPOP", "nothing", key, "0"],
            2 => ["BLMOVE", key, other, generator.Pick("LEFT", "right"), generator.Pick("Left", "RIGHT"), "0"],
            3 => ["BRPOPLPUSH", key, other, "0"],
            4 => ["BLMPOP", "0", "1", key, generator.Pick("LEFT", "RIGHT"), "COUNT", generator.Int(1, 4).ToString(CultureInfo.InvariantCulture)],
            5 => ["BZPOPMIN", key, "0"],
            _ => ["BZMPOP", "0", "2", "nothing", key, generator.Pick("MIN", "MAX"), "COUNT", generator.Int(1, 4).ToString(CultureInfo.InvariantCulture)],
        };
        bool zset = blocking[0].StartsWith("BZ", StringComparison.Ordinal);
        string dbText = db.ToString(CultureInfo.InvariantCulture);
        main.Call("SELECT", dbText);
        main.Call("DEL", key, other);
        waiter.SendCommand(blocking);
        long deadline = Environment.TickCount64 + 10_000;
        while (server.Server.Blocking.BlockedCount != 1)
        {
            Assert.True(Environment.TickCount64 < deadline, "the waiter did not block");
            Thread.Sleep(1);
        }
        string[] push = zset
            ? ["ZADD", key, "1", "a", "2", "b", "3", "c"]
            : [generator.Pick("RPUSH", "LPUSH"), key, "a", "b", "c"];
        if (generator.Chance(3))
        {
            // Pushed inside a transaction: the waiter is served after EXEC, as its own unit.
            main.Call("MULTI");
            main.Call(push);
            main.Call("SET", "after-push", "1");
            main.Call("EXEC");
        }
        else
        {
            main.Call(push);
        }
        Assert.False(waiter.ReadReply().StartsWith('-'));
        main.Call("SELECT", generator.Int(3).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Keys that expire by themselves: deleted when touched, and their DEL propagated.</summary>
    private static void ExpireOnAccess(RawClient main, RandomCommands generator)
    {
        for (int db = 0; db < 3; db++)
        {
            main.Call("SELECT", db.ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < 10; i++)
            {
                main.Call("SET", "tmp" + i, "v", "PX", generator.Int(1, 3).ToString(CultureInfo.InvariantCulture));
            }
        }
        // Waiting for the clock, not for another thread.
        Thread.Sleep(10);
        for (int db = 0; db < 3; db++)
        {
            main.Call("SELECT", db.ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < 10; i++)
            {
                main.Call(generator.Pick("GET", "EXISTS", "TYPE", "TTL"), "tmp" + i);
            }
        }
    }
}
