using System.Text;

namespace Amber.Tests.Persistence.Aof;

/// <summary>Helpers shared by the AOF writer and group-commit tests.</summary>
internal static class AofTestSupport
{
    /// <summary>A command as the AOF stores it (a RESP array of bulk strings).</summary>
    public static byte[] Cmd(params string[] args)
    {
        var sb = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after 10 seconds naming <paramref name="what"/>.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for " + what);
            await Task.Delay(2);
        }
    }
}
