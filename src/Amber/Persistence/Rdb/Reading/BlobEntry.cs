namespace Amber.Persistence.Rdb.Reading;

/// <summary>One entry of a packed blob (listpack or ziplist): a string, or an integer the format stored as a number.</summary>
internal readonly ref struct BlobEntry
{
    private BlobEntry(ReadOnlySpan<byte> text, long integer, bool isInteger)
    {
        String = text;
        Integer = integer;
        IsInteger = isInteger;
    }

    public static BlobEntry OfString(ReadOnlySpan<byte> text) => new(text, 0, false);

    public static BlobEntry OfInteger(long value) => new(default, value, true);

    /// <summary>The entry's bytes when it is a string.</summary>
    public ReadOnlySpan<byte> String { get; }

    /// <summary>The entry's value when it is an integer.</summary>
    public long Integer { get; }

    public bool IsInteger { get; }

    /// <summary>The entry as text: a string's bytes, or an integer formatted into <paramref name="scratch"/> (20+ bytes).</summary>
    public ReadOnlySpan<byte> Text(Span<byte> scratch)
    {
        if (!IsInteger)
        {
            return String;
        }
        System.Buffers.Text.Utf8Formatter.TryFormat(Integer, scratch, out int n);
        return scratch[..n];
    }
}

/// <summary>Walks the entries of a validated packed blob; lets one loader serve listpacks and ziplists alike.</summary>
internal interface IBlobEnumerator
{
    BlobEntry Current { get; }

    bool MoveNext();
}
