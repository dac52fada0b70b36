using Amber.CheckRdb;

namespace Amber.Tests.Persistence;

/// <summary>amber-check-rdb's command line: usage, unreadable files, and its report on a good and a damaged file.</summary>
public sealed class CheckRdbToolTests
{
    [Fact]
    public void UsageAndMissingFilesExitWithOne()
    {
        var output = new StringWriter();
        Assert.Equal(1, RdbCheck.Run([], output));
        Assert.Contains("Usage: amber-check-rdb <rdb-file-name>", output.ToString(), StringComparison.Ordinal);
        output = new StringWriter();
        Assert.Equal(1, RdbCheck.Run([Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N") + ".rdb")], output));
        Assert.Contains("Cannot open RDB file", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReportsAGoodLegacyFileAndADamagedOne()
    {
        byte[] file = RdbLegacyLoadTests.LegacyFile(9);
        var output = new StringWriter();
        Assert.Equal(0, RdbCheck.Check(new MemoryStream(file), "legacy.rdb", file.Length, output));
        string text = output.ToString();
        Assert.Contains("AUX FIELD redis-ver = '3.2.0'", text, StringComparison.Ordinal);
        Assert.Contains("] Selecting DB ID 2\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"[offset {file.Length}] Checksum OK", text, StringComparison.Ordinal);
        Assert.Contains($"[offset {file.Length}] \\o/ RDB looks OK! \\o/", text, StringComparison.Ordinal);
        Assert.Contains("[info] 21 keys read", text, StringComparison.Ordinal);
        Assert.Contains("[info] 2 expires", text, StringComparison.Ordinal);
        Assert.Contains("[info] 1 keys of type 9 (hash-zipmap)", text, StringComparison.Ordinal);

        file[^3] ^= 0x10;
        output = new StringWriter();
        Assert.Equal(1, RdbCheck.Check(new MemoryStream(file), "legacy.rdb", file.Length, output));
        text = output.ToString().ReplaceLineEndings("\n");
        Assert.Contains($"--- RDB ERROR DETECTED ---\n[offset {file.Length}] RDB CRC error\n[additional info] While doing: check-sum\n", text, StringComparison.Ordinal);
    }
}
