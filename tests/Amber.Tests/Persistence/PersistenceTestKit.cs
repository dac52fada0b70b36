using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>INFO parsing and condition polling for persistence tests (never a sleep as synchronisation).</summary>
internal static class PersistenceTestKit
{
    /// <summary>One field of INFO &lt;section&gt;, or null when absent.</summary>
    public static string? Info(RawClient c, string field, string section = "persistence")
    {
        string reply = c.Call("INFO", section);
        foreach (string line in reply.Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }
        return null;
    }

    /// <summary>The field names of INFO persistence, in order.</summary>
    public static List<string> InfoNames(RawClient c)
    {
        var names = new List<string>();
        foreach (string line in c.Call("INFO", "persistence").Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && !line.StartsWith('#'))
            {
                names.Add(line[..colon]);
            }
        }
        return names;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 30)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(timeoutSeconds), "timed out waiting for " + what);
            await Task.Delay(5);
        }
    }

    /// <summary>Polls rdb_bgsave_in_progress until 0.</summary>
    public static Task WaitForBgsaveAsync(RawClient c) =>
        WaitUntilAsync(() => Info(c, "rdb_bgsave_in_progress") == "0", "the background save to finish");

    public static string[] TempFiles(string dir) =>
        Directory.GetFiles(dir, "temp-*").Select(Path.GetFileName).Select(n => n!).ToArray();

    /// <summary>Copies the files of <paramref name="from"/> (not its subdirectories) into <paramref name="to"/>, made if needed.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    public static string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "amber-rdb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
