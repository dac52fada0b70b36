using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Propagation;

/// <summary>End to end: the AOF writer is the stream's sink while appendonly is on, and a restart replays it.</summary>
public class PropagationAofTests
{
    [Fact]
    public async Task TheAofReceivesThePropagatedFormAndRebuildsTheDatasetOnRestart()
    {
        using var dir = new TempDir();
        string digest;
        await using (AofServer first = AofServer.Start(dir.Path, c => c.EnableDebugCommand = "yes"))
        {
            var client = first.Raw();
            foreach (string[] command in new[]
            {
                new[] { "SET", "a", "1", "EX", "1000" }, ["SADD", "s", "1", "2", "3", "4", "5"], ["SPOP", "s", "2"],
                ["SELECT", "2"], ["INCRBYFLOAT", "f", "1.5"], ["MULTI"], ["RPUSH", "l", "a", "b"], ["LMPOP", "1", "l", "LEFT"],
                ["EXEC"], ["SELECT", "0"], ["EXPIRE", "a", "-1"], ["HINCRBYFLOAT", "h", "x", "0.1"],
            })
            {
                Assert.False(client.Call(command).StartsWith('-'), string.Join(' ', command));
            }
            digest = client.Call("DEBUG", "DIGEST");
        }
        string incr = Directory.GetFiles(dir.AofDir, "*.incr.aof").Single();
        List<string[]> written = RespStream.Parse(File.ReadAllBytes(incr));
        Assert.Equal(["SELECT", "0"], written[0]);
        Assert.Contains(written, c => c is ["SET", "a", "1", "PXAT", _]);
        Assert.Contains(written, c => c is ["SET", "f", "1.5", "KEEPTTL"]);
        Assert.Contains(written, c => c is ["DEL", "a"]);
        Assert.Equal(2, written.Count(c => c[0] == "MULTI"));

        await using AofServer second = AofServer.Start(dir.Path, c => c.EnableDebugCommand = "yes");
        Assert.Equal(digest, second.Raw().Call("DEBUG", "DIGEST"));
    }
}
