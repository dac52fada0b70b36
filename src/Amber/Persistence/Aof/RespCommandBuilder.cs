using System.Globalization;

namespace Amber.Persistence.Aof;

/// <summary>Builds RESP multibulk commands into a growable byte buffer.</summary>
internal sealed class RespCommandBuilder
{
    private byte[] _buffer = new byte[4096];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Reset() => Length = 0;

    public void Begin(int argc)
    {
        Raw("*"u8);
        Number(argc);
        Raw("\r\n"u8);
    }

    public void Bulk(ReadOnlySpan<byte> value)
    {
        Raw("$"u8);
        Number(value.Length);
        Raw("\r\n"u8);
        Raw(value);
        Raw("\r\n"u8);
    }

    public void Bulk(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
        Bulk(digits[..n]);
    }

    public void Number(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
        Raw(digits[..n]);
    }

    public void Raw(ReadOnlySpan<byte> data)
    {
        if (Length + data.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + data.Length));
        }
        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }
}
