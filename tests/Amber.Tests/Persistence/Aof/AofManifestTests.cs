using Amber.Persistence.Aof;

namespace Amber.Tests.Persistence.Aof;

public class AofManifestTests
{
    [Fact]
    public void FormatsLinesAsRedis()
    {
        var m = new AofManifest();
        m.SetNewBase("appendonly.aof", rdb: true);
        m.AddNewIncr("appendonly.aof");
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", m.Format());
        m.SetNewBase("appendonly.aof", rdb: false);
        m.AddNewIncr("appendonly.aof");
        Assert.Equal(
            "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\n" +
            "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n", m.Format());
    }

    [Fact]
    public void RoundTripsAndQuotesSpecialNames()
    {
        var m = new AofManifest { Base = new AofFileInfo("my file.aof", 3, AofFileType.Base), CurrentBaseSeq = 3 };
        m.Incrs.Add(new AofFileInfo("x\"y.aof", 7, AofFileType.Incr));
        m.CurrentIncrSeq = 7;
        string text = m.Format();
        Assert.Equal("file \"my file.aof\" seq 3 type b\nfile \"x\\\"y.aof\" seq 7 type i\n", text);
        AofManifest back = AofManifest.Parse(text);
        Assert.Equal("my file.aof", back.Base!.Name);
        Assert.Equal("x\"y.aof", back.Incrs[0].Name);
        Assert.Equal(7, back.CurrentIncrSeq);
        Assert.Equal(3, back.CurrentBaseSeq);
    }

    [Fact]
    public void ParsesCommentsUnknownKeysAndAnyOrder()
    {
        AofManifest m = AofManifest.Parse("# comment\nseq 2 type b file a.2.base.rdb future x\nfile a.5.incr.aof seq 5 type i\n");
        Assert.Equal("a.2.base.rdb", m.Base!.Name);
        Assert.Equal(2, m.CurrentBaseSeq);
        Assert.Equal(5, m.Incrs[0].Seq);
    }

    [Theory]
    [InlineData("", "Found an empty AOF manifest")]
    [InlineData("file a seq 1 type b", "too long line")]
    [InlineData("file a seq 1 type b\n\n", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1\n", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1 type b x\n", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information")]
    [InlineData("file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number")]
    [InlineData("file d/a seq 1 type b\n", "File can't be a path, just a filename")]
    [InlineData("file a seq 1 type z\n", "Unknown AOF file type")]
    [InlineData("file a seq 0 type b\n", "Invalid AOF manifest file format")]
    public void RejectsWhatRedisRejects(string text, string reason)
    {
        var e = Assert.Throws<AofManifestException>(() => AofManifest.Parse(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void RejectsLinesLongerThan1024()
    {
        string text = "file " + new string('a', 1100) + " seq 1 type b\n";
        Assert.Contains("too long line", Assert.Throws<AofManifestException>(() => AofManifest.Parse(text)).Message);
    }
}
