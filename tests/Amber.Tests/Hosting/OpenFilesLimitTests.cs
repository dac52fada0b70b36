using System.Text.RegularExpressions;
using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests.Hosting;

/// <summary>
/// maxclients within the open-files limit, as Redis keeps it: the real executable under a low limit (util-linux's
/// prlimit) reduces maxclients at start with Redis's log lines, refuses a CONFIG SET beyond the limit with Redis's
/// error, and turns the clients past it away while serving the others. Without this, the clients that used up the
/// descriptors made .NET's socket engine fail fast and took the process down.
/// </summary>
public sealed class OpenFilesLimitTests : IDisposable
{
    private const int Limit = 200;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // util-linux's prlimit, on Linux (skips the test elsewhere).
    private static string RequirePrlimit()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "open-files limits are checked on Linux");
        return Interop.RequireTool("prlimit", "util-linux");
    }

    private static string MaxClientsReply(string value) => $"*2\r\n$10\r\nmaxclients\r\n${value.Length}\r\n{value}\r\n";

    [SkippableFact]
    public void AtStartMaxclientsShrinksToTheLimitAndClientsPastItAreTurnedAway()
    {
        string prlimit = RequirePrlimit();
        using ServerProcess server = ServerProcess.StartWithOpenFilesLimit(_dir.Path, prlimit, Limit);
        Match reduced = Regex.Match(server.Output, @"maxclients has been reduced to (\d+) to compensate for low ulimit");
        Assert.True(reduced.Success, server.Output);
        int maxClients = int.Parse(reduced.Groups[1].Value);
        Assert.InRange(maxClients, 1, Limit - 64);
        Assert.Contains("You requested maxclients of 10000 requiring at least", server.Output);

        var clients = new List<RawClient>();
        try
        {
            clients.Add(new RawClient(server.Port));
            Assert.Equal(MaxClientsReply(maxClients.ToString()), clients[0].Call("CONFIG", "GET", "maxclients"));
            int served = 1, turnedAway = 0;
            // Twice the limit: without the check, the descriptors run out long before.
            for (int i = 0; i < 2 * Limit; i++)
            {
                var client = new RawClient(server.Port);
                clients.Add(client);
                string reply = client.Call("PING");
                if (reply == "+PONG\r\n")
                {
                    served++;
                }
                else
                {
                    Assert.Equal("-ERR max number of clients reached\r\n", reply);
                    turnedAway++;
                    client.Dispose();
                }
            }
            Assert.Equal(maxClients, served);
            Assert.Equal(2 * Limit + 1 - maxClients, turnedAway);
            Assert.Equal("+PONG\r\n", clients[0].Call("PING"));
            Assert.False(server.HasExited, server.Output);
        }
        finally
        {
            foreach (RawClient c in clients)
            {
                c.Dispose();
            }
        }
    }

    [SkippableFact]
    public void ConfigSetMaxclientsBeyondTheLimitFailsAsRedisDoes()
    {
        string prlimit = RequirePrlimit();
        using ServerProcess server = ServerProcess.StartWithOpenFilesLimit(_dir.Path, prlimit, Limit, "--maxclients", "10");
        Assert.DoesNotContain("maxclients has been reduced", server.Output);
        using var client = new RawClient(server.Port);

        string refused = client.Call("CONFIG", "SET", "maxclients", "5000");
        Match fits = Regex.Match(refused,
            @"^-ERR CONFIG SET failed \(possibly related to argument 'maxclients'\) - The operating system is not able to handle the specified number of clients, try with (\d+)\r\n$");
        Assert.True(fits.Success, refused);
        Assert.Equal(MaxClientsReply("10"), client.Call("CONFIG", "GET", "maxclients"));
        string tryWith = fits.Groups[1].Value;
        Assert.Equal("+OK\r\n", client.Call("CONFIG", "SET", "maxclients", tryWith));
        Assert.Equal(MaxClientsReply(tryWith), client.Call("CONFIG", "GET", "maxclients"));
    }

    [SkippableFact]
    public void AcceptsThatFindNoDescriptorAreLoggedAndRetriedUntilOneFreesUp()
    {
        string prlimit = RequirePrlimit();
        using ServerProcess server = ServerProcess.Start(_dir.Path);
        // Lowered under the running server, past what it checked at start: 20 descriptors left for clients.
        int open = Directory.GetFileSystemEntries($"/proc/{server.Pid}/fd").Length;
        (int code, string output) = Interop.Run(prlimit, $"--pid {server.Pid} --nofile={open + 20}:{open + 20}");
        Assert.True(code == 0, output);

        var clients = new List<RawClient>();
        try
        {
            for (int i = 0; i < 40; i++)
            {
                clients.Add(new RawClient(server.Port)); // the connection completes in the listen queue
            }
            Assert.True(server.WaitUntil(() => server.Output.Contains("Accepting client connection: "), TimeSpan.FromSeconds(30)), server.Output);
        }
        finally
        {
            foreach (RawClient c in clients)
            {
                c.Dispose();
            }
        }
        using var after = new RawClient(server.Port);
        Assert.Equal("+PONG\r\n", after.Call("PING"));
        Assert.False(server.HasExited, server.Output);
    }
}
