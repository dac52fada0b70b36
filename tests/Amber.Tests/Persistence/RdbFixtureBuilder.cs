using System.Buffers.Binary;
using System.Text;
using Amber.Persistence.Rdb;

namespace Amber.Tests.Persistence;

/// <summary>
/// Writes RDB bytes straight from the format spec (redis-persistence-spec §1), including the encodings Redis 7.0 no
/// longer writes (zipmap, ziplist, quicklist v1, legacy ZSET scores, second expiries, old versions), so the reader's
/// legacy paths are tested against files real redis-server and redis-check-rdb accept. Deliberately independent of the
/// reader's code; only the CRC and LZF come from the product (they are tested against Redis on their own).
/// </summary>
internal sealed class RdbFixtureBuilder
{
    private readonly MemoryStream _out = new();

    public RdbFixtureBuilder(int version = 10)
    {
        Raw(Encoding.ASCII.GetBytes($"REDIS{version:D4}"));
    }

    public long Length => _out.Length;

    public RdbFixtureBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _out.Write(bytes);
        return this;
    }

    public RdbFixtureBuilder Byte(int b)
    {
        _out.WriteByte((byte)b);
        return this;
    }

    public RdbFixtureBuilder Len(ulong n)
    {
        Span<byte> b = stackalloc byte[9];
        if (n < 64)
        {
            return Byte((int)n);
        }
        if (n < 16384)
        {
            return Byte(0x40 | (int)(n >> 8)).Byte((int)(n & 0xFF));
        }
        if (n <= uint.MaxValue)
        {
            b[0] = 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(b[1..], (uint)n);
            return Raw(b[..5]);
        }
        b[0] = 0x81;
        BinaryPrimitives.WriteUInt64BigEndian(b[1..], n);
        return Raw(b);
    }

    public RdbFixtureBuilder Str(ReadOnlySpan<byte> s) => Len((ulong)s.Length).Raw(s);

    public RdbFixtureBuilder Str(string s) => Str(Encoding.UTF8.GetBytes(s));

    /// <summary>An integer-encoded string (C0/C1/C2).</summary>
    public RdbFixtureBuilder IntStr(long v)
    {
        Span<byte> b = stackalloc byte[4];
        if (v is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            return Byte(0xC0).Byte((byte)(sbyte)v);
        }
        if (v is >= short.MinValue and <= short.MaxValue)
        {
            BinaryPrimitives.WriteInt16LittleEndian(b, (short)v);
            return Byte(0xC1).Raw(b[..2]);
        }
        BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
        return Byte(0xC2).Raw(b);
    }

    /// <summary>An LZF-compressed string (C3 clen len data); the data must compress.</summary>
    public RdbFixtureBuilder LzfStr(ReadOnlySpan<byte> s)
    {
        var compressed = new byte[s.Length + 16];
        int n = Lzf.Compress(s, compressed);
        if (n == 0)
        {
            throw new InvalidOperationException("fixture string does not compress");
        }
        return Byte(0xC3).Len((ulong)n).Len((ulong)s.Length).Raw(compressed.AsSpan(0, n));
    }

    public RdbFixtureBuilder Aux(string key, string value) => Byte(0xFA).Str(key).Str(value);

    public RdbFixtureBuilder SelectDb(int db) => Byte(0xFE).Len((ulong)db);

    public RdbFixtureBuilder ResizeDb(int size, int expires) => Byte(0xFB).Len((ulong)size).Len((ulong)expires);

    public RdbFixtureBuilder ExpireMs(long ms)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, ms);
        return Byte(0xFC).Raw(b);
    }

    public RdbFixtureBuilder ExpireSeconds(int seconds)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, seconds);
        return Byte(0xFD).Raw(b);
    }

    /// <summary>Starts a key record: type byte then key name.</summary>
    public RdbFixtureBuilder Key(int type, string key) => Byte(type).Str(key);

    public RdbFixtureBuilder BinaryDouble(double d)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, d);
        return Raw(b);
    }

    /// <summary>Legacy ZSET score: length byte then %.17g text (253 NaN, 254 +inf, 255 -inf).</summary>
    public RdbFixtureBuilder TextDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return Byte(253);
        }
        if (double.IsInfinity(d))
        {
            return Byte(d > 0 ? 254 : 255);
        }
        byte[] text = Encoding.ASCII.GetBytes(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return Byte(text.Length).Raw(text);
    }

    /// <summary>EOF opcode and the CRC64 of everything before it (or eight zero bytes).</summary>
    public byte[] Eof(bool checksum = true, bool withChecksumField = true)
    {
        Byte(0xFF);
        if (withChecksumField)
        {
            ulong crc = checksum ? Crc64.Compute(_out.GetBuffer().AsSpan(0, (int)_out.Length)) : 0;
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(b, crc);
            Raw(b);
        }
        return _out.ToArray();
    }

    // ---- blobs ----

    /// <summary>A listpack of strings (string) and integers (long), with a given or correct header count.</summary>
    public static byte[] Listpack(object[] entries, int? headerCount = null)
    {
        var body = new MemoryStream();
        foreach (object e in entries)
        {
            byte[] enc = e is long v ? ListpackInt(v) : ListpackString(e is byte[] b ? b : Encoding.UTF8.GetBytes((string)e));
            body.Write(enc);
            body.Write(Backlen(enc.Length));
        }
        var lp = new byte[6 + body.Length + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(lp, (uint)lp.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(lp.AsSpan(4), (ushort)(headerCount ?? entries.Length));
        body.ToArray().CopyTo(lp, 6);
        lp[^1] = 0xFF;
        return lp;
    }

    private static byte[] ListpackString(byte[] s)
    {
        if (s.Length < 64)
        {
            return [(byte)(0x80 | s.Length), .. s];
        }
        if (s.Length < 4096)
        {
            return [(byte)(0xE0 | (s.Length >> 8)), (byte)s.Length, .. s];
        }
        var b = new byte[5 + s.Length];
        b[0] = 0xF0;
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(1), (uint)s.Length);
        s.CopyTo(b, 5);
        return b;
    }

    private static byte[] ListpackInt(long v)
    {
        if (v is >= 0 and <= 127)
        {
            return [(byte)v];
        }
        if (v is >= -4096 and <= 4095)
        {
            int uv = (int)v & 0x1FFF;
            return [(byte)(0xC0 | (uv >> 8)), (byte)uv];
        }
        var b = new byte[9];
        if (v is >= short.MinValue and <= short.MaxValue)
        {
            b[0] = 0xF1;
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(1), (short)v);
            return b[..3];
        }
        if (v is >= -(1 << 23) and < 1 << 23)
        {
            b[0] = 0xF2;
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(1), (int)v);
            return b[..4];
        }
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            b[0] = 0xF3;
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(1), (int)v);
            return b[..5];
        }
        b[0] = 0xF4;
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(1), v);
        return b;
    }

    private static byte[] Backlen(int l)
    {
        if (l <= 127)
        {
            return [(byte)l];
        }
        if (l < 16383)
        {
            return [(byte)(l >> 7), (byte)((l & 127) | 128)];
        }
        return [(byte)(l >> 14), (byte)(((l >> 7) & 127) | 128), (byte)((l & 127) | 128)];
    }

    /// <summary>A ziplist of strings (string) and integers (long).</summary>
    public static byte[] Ziplist(object[] entries)
    {
        var body = new MemoryStream();
        int previous = 0;
        int lastOffset = 10;
        foreach (object e in entries)
        {
            var entry = new MemoryStream();
            if (previous < 254)
            {
                entry.WriteByte((byte)previous);
            }
            else
            {
                entry.WriteByte(0xFE);
                var p = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(p, previous);
                entry.Write(p);
            }
            entry.Write(e is long v ? ZiplistInt(v) : ZiplistString(Encoding.UTF8.GetBytes((string)e)));
            lastOffset = 10 + (int)body.Length;
            body.Write(entry.ToArray());
            previous = (int)entry.Length;
        }
        var zl = new byte[10 + body.Length + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(zl, (uint)zl.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(zl.AsSpan(4), (uint)lastOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(zl.AsSpan(8), (ushort)entries.Length);
        body.ToArray().CopyTo(zl, 10);
        zl[^1] = 0xFF;
        return zl;
    }

    private static byte[] ZiplistString(byte[] s)
    {
        if (s.Length <= 63)
        {
            return [(byte)s.Length, .. s];
        }
        if (s.Length <= 16383)
        {
            return [(byte)(0x40 | (s.Length >> 8)), (byte)s.Length, .. s];
        }
        var b = new byte[5 + s.Length];
        b[0] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(1), (uint)s.Length);
        s.CopyTo(b, 5);
        return b;
    }

    private static byte[] ZiplistInt(long v)
    {
        var b = new byte[9];
        if (v is >= 0 and <= 12)
        {
            return [(byte)(0xF1 + v)];
        }
        if (v is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            return [0xFE, (byte)(sbyte)v];
        }
        if (v is >= short.MinValue and <= short.MaxValue)
        {
            b[0] = 0xC0;
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(1), (short)v);
            return b[..3];
        }
        if (v is >= -(1 << 23) and < 1 << 23)
        {
            b[0] = 0xF0;
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(1), (int)v);
            return b[..4];
        }
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            b[0] = 0xD0;
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(1), (int)v);
            return b[..5];
        }
        b[0] = 0xE0;
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(1), v);
        return b;
    }

    public static byte[] Intset(int width, params long[] values)
    {
        var b = new byte[8 + width * values.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            Span<byte> at = b.AsSpan(8 + i * width);
            switch (width)
            {
                case 2: BinaryPrimitives.WriteInt16LittleEndian(at, (short)values[i]); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(at, (int)values[i]); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(at, values[i]); break;
            }
        }
        return b;
    }

    /// <summary>A zipmap of field/value pairs, each value followed by <paramref name="free"/> unused bytes.</summary>
    public static byte[] Zipmap((string Field, string Value)[] pairs, int free = 0)
    {
        var b = new MemoryStream();
        b.WriteByte((byte)Math.Min(pairs.Length, 254));
        foreach ((string field, string value) in pairs)
        {
            WriteZipmapString(b, Encoding.UTF8.GetBytes(field), null);
            WriteZipmapString(b, Encoding.UTF8.GetBytes(value), free);
        }
        b.WriteByte(0xFF);
        return b.ToArray();
    }

    private static void WriteZipmapString(MemoryStream b, byte[] s, int? free)
    {
        if (s.Length < 254)
        {
            b.WriteByte((byte)s.Length);
        }
        else
        {
            b.WriteByte(254);
            Span<byte> n = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(n, s.Length);
            b.Write(n);
        }
        if (free is int f)
        {
            b.WriteByte((byte)f);
            b.Write(s);
            b.Write(new byte[f]);
        }
        else
        {
            b.Write(s);
        }
    }
}
