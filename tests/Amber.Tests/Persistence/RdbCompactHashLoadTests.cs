using Amber.Persistence.Rdb.Reading;
using Amber.Types;

namespace Amber.Tests.Persistence;

/// <summary>Listpack hashes built in one pass (CompactHashBuilder): every pair kept in order, any repeated field refused.</summary>
public sealed class RdbCompactHashLoadTests
{
    private static byte[] HashFile(object[] entries) =>
        new RdbFixtureBuilder().SelectDb(0).Key(16, "h").Str(RdbFixtureBuilder.Listpack(entries)).Eof();

    private static object[] Pairs(int fields, Func<int, object> field)
    {
        var entries = new object[fields * 2];
        for (int i = 0; i < fields; i++)
        {
            entries[2 * i] = field(i);
            entries[2 * i + 1] = i % 3 == 0 ? (object)(long)(i * 1000) : $"value-{i}";
        }
        return entries;
    }

    [Fact]
    public void AHashAtTheEntryLimitLoadsCompactWithEveryPairInOrder()
    {
        // 128 fields (hash-max-listpack-entries): string and integer fields, integer and string values.
        object[] entries = Pairs(128, i => i % 2 == 0 ? $"field-{i}" : (object)(long)(i * 7 - 300));
        var hash = (HashValue)RdbTestLoad.Load(HashFile(entries)).Databases[0].FindRaw("h"u8)!.Value!;
        Assert.True(hash.IsListPack);
        Assert.Equal(128, hash.Count);
        HashValue.PairEnumerator e = hash.GetEnumerator();
        for (int i = 0; i < 128; i++)
        {
            Assert.True(e.MoveNext());
            Assert.Equal(entries[2 * i].ToString(), System.Text.Encoding.UTF8.GetString(e.Field));
            Assert.Equal(entries[2 * i + 1].ToString(), System.Text.Encoding.UTF8.GetString(e.Value));
        }
        Assert.False(e.MoveNext());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(127)]
    public void ARepeatedFieldIsRefusedWhereverItIs(int repeated)
    {
        // The last field repeats an earlier one; an integer field and its text form are the same field.
        object[] entries = Pairs(128, i => i == 127 ? (object)(long)(repeated * 5) : i % 2 == 0 ? (object)(long)(i * 5) : $"{i * 5}");
        if (repeated == 127)
        {
            entries[2 * 127] = "s";
            entries[2 * 126] = "s";
        }
        RdbLoadException error = RdbTestLoad.LoadFails(HashFile(entries));
        Assert.Equal((RdbLoadErrorKind.Corrupt, "Hash listpack integrity check failed."), (error.Kind, error.Reason));
    }
}
