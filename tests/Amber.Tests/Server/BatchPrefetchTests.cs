using System.Text;
using Amber.Keyspace;
using Amber.Protocol;
using Amber.Server;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Server;

public class BatchPrefetchTests
{
    private static string Peeked(string stream)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(stream);
        var keys = new List<string>();
        int pos = 0;
        while (BatchPrefetch.TryPeek(bytes, ref pos, out BatchPrefetch.Peeked request))
        {
            keys.Add(Encoding.ASCII.GetString(bytes, request.KeyStart, request.KeyLength));
        }
        return string.Join('|', keys) + "@" + pos;
    }

    [Fact]
    public void PeeksTheSecondArgumentOfEachCompleteRequestAndStopsAtAnythingElse()
    {
        Assert.Equal("k1|k2@48", Peeked("*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$0\r\n\r\n"));
        // Incomplete: the second request's value is cut.
        Assert.Equal("k1@21", Peeked("*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$5\r\nab"));
        // An inline command, a request without a key, a malformed or absurd header: nothing more is peeked.
        Assert.Equal("@0", Peeked("GET k1\r\n*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n"));
        Assert.Equal("@0", Peeked("*1\r\n$4\r\nPING\r\n"));
        Assert.Equal("@0", Peeked("*2\r\n$3\r\nGET\r\n$-1\r\n"));
        Assert.Equal("@0", Peeked("*2\r\n$3\r\nGET\r\n$99999999999\r\nk\r\n"));
        Assert.Equal("@0", Peeked("*2\r\n$3\r\nGET\r\n$2\nk1\r\n"));
        Assert.Equal("@0", Peeked("*99999999\r\n$3\r\nGET\r\n"));
    }

    private static readonly string[] Names = ["GET", "MSET", "MGET", "DEL", "HSET", "ZADD", "SADD", "PING"];

    [Fact]
    public async Task TheKeysOfAMultiKeyRequestAreWhereItsCommandPlacesThem()
    {
        await using var server = TestServer.Start();
        Amber.Commands.CommandTable commands = server.Server.Commands;
        string Keys(string name, params string[] args)
        {
            var request = new StringBuilder($"*{args.Length + 1}\r\n${name.Length}\r\n{name}\r\n");
            foreach (string a in args)
            {
                request.Append($"${a.Length}\r\n{a}\r\n");
            }
            byte[] bytes = Encoding.ASCII.GetBytes(request.ToString());
            int pos = 0;
            Assert.True(BatchPrefetch.TryPeek(bytes, ref pos, out BatchPrefetch.Peeked peeked));
            Span<int> starts = stackalloc int[32];
            Span<int> lengths = stackalloc int[32];
            int n = BatchPrefetch.CollectKeys(bytes, peeked, commands.Find(name)!, starts, lengths, 0);
            var keys = new List<string>();
            for (int i = 0; i < n; i++)
            {
                keys.Add(Encoding.ASCII.GetString(bytes, starts[i], lengths[i]));
            }
            return string.Join('|', keys);
        }
        Assert.Equal("k1|k2|k3", Keys("MSET", "k1", "v1", "k2", "v2", "k3", "v3"));
        Assert.Equal("k1|k2|k3", Keys("MGET", "k1", "k2", "k3"));
        Assert.Equal("k1|k2", Keys("DEL", "k1", "k2"));
        Assert.Equal("k1|k2", Keys("BLPOP", "k1", "k2", "0"));
    }

    [Fact]
    public async Task OnRandomStreamsItAgreesWithTheParserAndNeverThrows()
    {
        var random = new Random(7);
        var table = new KeyTable();
        for (int i = 0; i < 1000; i++)
        {
            byte[] key = Encoding.ASCII.GetBytes("key:" + i);
            table.Add(Entry.ForString(key, KeyHash.Of(key), "v"u8));
        }
        await using var server = TestServer.Start();
        using (var client = new RawClient(server.Port))
        {
            for (int i = 0; i < 300; i++)
            {
                client.Call("HSET", "key:1", "f" + i, "v");
                client.Call("SADD", "key:2", "m" + i);
                client.Call("ZADD", "key:3", i.ToString(), "m" + i);
            }
        }
        // The server's own table, with a large hash, set and sorted set in it (read only here, under its lock).
        KeyTable live = server.Server.Databases[0].Table;
        for (int round = 0; round < 2000; round++)
        {
            var stream = new MemoryStream();
            int requests = random.Next(1, 40);
            for (int r = 0; r < requests; r++)
            {
                int count = random.Next(1, 5);
                stream.Write(Encoding.ASCII.GetBytes($"*{count}\r\n"));
                for (int a = 0; a < count; a++)
                {
                    string arg = a == 0 ? Names[random.Next(Names.Length)] : a == 1 ? "key:" + random.Next(2000) : random.Next(3) == 0 ? random.Next(400).ToString() : "m" + random.Next(400);
                    stream.Write(Encoding.ASCII.GetBytes($"${arg.Length}\r\n{arg}\r\n"));
                }
            }
            byte[] bytes = stream.ToArray();
            int cut = random.Next(bytes.Length + 1);
            if (random.Next(4) == 0)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            ReadOnlySpan<byte> visible = bytes.AsSpan(0, cut);
            BatchPrefetch.Run(table, null, visible);
            lock (server.Server.KeyspaceLock)
            {
                BatchPrefetch.Run(live, server.Server.Commands, visible);
            }

            // Every key peeked is the parser's second argument of the same request, in order.
            var parser = new RequestParser();
            var args = new ArgList();
            int parsePos = 0;
            int peekPos = 0;
            while (BatchPrefetch.TryPeek(visible, ref peekPos, out BatchPrefetch.Peeked request))
            {
                ParseStatus status = parser.TryParse(bytes, ref parsePos, cut, args);
                Assert.Equal(ParseStatus.Complete, status);
                Assert.True(args.Count >= 2);
                Assert.Equal(Encoding.ASCII.GetString(args[1]), Encoding.ASCII.GetString(bytes, request.KeyStart, request.KeyLength));
                Assert.Equal(args.Count > 2 ? Encoding.ASCII.GetString(args[2]) : "-", request.MemberLength < 0 ? "-" : Encoding.ASCII.GetString(bytes, request.MemberStart, request.MemberLength));
                Assert.Equal(args.Count > 3 ? Encoding.ASCII.GetString(args[3]) : "-", request.NextLength < 0 ? "-" : Encoding.ASCII.GetString(bytes, request.NextStart, request.NextLength));
                Assert.Equal(parsePos, peekPos);
            }
        }
    }

    [Fact]
    public async Task PipelinedMemberCommandsOnLargeCollectionsGetTheirReplies()
    {
        await using var server = TestServer.Start();
        using var client = new RawClient(server.Port);
        var batch = new StringBuilder();
        var expected = new StringBuilder();
        // Past the listpack/intset limits, so the hash, set and sorted set use their tables; then again, overwriting.
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < 600; i++)
            {
                string m = "m" + i;
                batch.Append($"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n${m.Length}\r\n{m}\r\n$1\r\n{pass}\r\n");
                batch.Append($"*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n${m.Length}\r\n{m}\r\n");
                string score = (i * 7 % 600 + pass).ToString();
                batch.Append($"*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n${score.Length}\r\n{score}\r\n${m.Length}\r\n{m}\r\n");
                batch.Append($"*3\r\n$4\r\nHGET\r\n$1\r\nh\r\n${m.Length}\r\n{m}\r\n");
                batch.Append($"*3\r\n$6\r\nZSCORE\r\n$1\r\nz\r\n${m.Length}\r\n{m}\r\n");
                int added = pass == 0 ? 1 : 0;
                expected.Append($":{added}\r\n:{added}\r\n:{added}\r\n$1\r\n{pass}\r\n${score.Length}\r\n{score}\r\n");
                if (batch.Length > 4000)
                {
                    client.Send(batch.ToString());
                    batch.Clear();
                }
            }
        }
        client.Send(batch.ToString());
        var got = new StringBuilder();
        while (got.Length < expected.Length)
        {
            got.Append(client.ReadReply());
        }
        Assert.Equal(expected.ToString(), got.ToString());
        Assert.Equal("$9\r\nhashtable\r\n", client.Call("OBJECT", "ENCODING", "h"));
        Assert.Equal("$8\r\nskiplist\r\n", client.Call("OBJECT", "ENCODING", "z"));
    }

    [Fact]
    public async Task PipelinedBatchesAreAnsweredInOrderWhileTheTableRehashes()
    {
        await using var server = TestServer.Start();
        using var client = new RawClient(server.Port);
        var expected = new StringBuilder();
        var batch = new StringBuilder();
        for (int round = 0; round < 50; round++)
        {
            batch.Clear();
            for (int i = 0; i < 40; i++)
            {
                int k = round * 40 + i;
                batch.Append($"*3\r\n$3\r\nSET\r\n${("k" + k).Length}\r\nk{k}\r\n$1\r\n{k % 10}\r\n");
                batch.Append($"*2\r\n$4\r\nINCR\r\n${("k" + k).Length}\r\nk{k}\r\n");
                batch.Append("*1\r\n$4\r\nPING\r\n");
                batch.Append($"*2\r\n$3\r\nGET\r\n${("k" + (k / 2)).Length}\r\nk{k / 2}\r\n");
                expected.Append($"+OK\r\n:{k % 10 + 1}\r\n+PONG\r\n");
                string half = ((k / 2) % 10 + 1).ToString();
                expected.Append($"${half.Length}\r\n{half}\r\n");
            }
            client.Send(batch.ToString());
        }
        var got = new StringBuilder();
        while (got.Length < expected.Length)
        {
            got.Append(client.ReadReply());
        }
        Assert.Equal(expected.ToString(), got.ToString());
    }
}
