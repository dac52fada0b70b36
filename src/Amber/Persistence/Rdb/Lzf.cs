namespace Amber.Persistence.Rdb;

/// <summary>
/// LZF, the byte-oriented LZ77 variant Redis uses for compressed RDB strings (spec §1.14), written from the
/// format description. A stream is a sequence of control bytes:
/// <list type="bullet">
/// <item><c>000LLLLL</c>: a literal run of L+1 bytes (1..32) follows.</item>
/// <item><c>LLLooooo [E] oooooooo</c> with L in 1..6: copy L+2 bytes; L = 7: copy E+9 bytes (extra byte E);
/// the offset is <c>(ooooo &lt;&lt; 8 | oooooooo) + 1</c> (1..8192) back from the current output position.
/// Overlapping copies repeat the pattern byte by byte.</item>
/// </list>
/// </summary>
internal static class Lzf
{
    private const int MaxLiteral = 32;
    private const int MaxOffset = 8192;
    private const int MinMatch = 3;
    private const int MaxMatch = 264; // 7 + 255 + 2
    private const int HashBits = 16;

    /// <summary>
    /// Last position seen per 3-byte hash, per thread. Positions are stored plus a per-call bias that only grows, so
    /// entries left by earlier inputs read as negative positions and are ignored without clearing the table: the
    /// output depends on the input alone.
    /// </summary>
    private sealed class HashState
    {
        public readonly int[] Slots = new int[1 << HashBits];
        public int Bias = 1;
    }

    [ThreadStatic]
    private static HashState? t_state;

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/>; returns the compressed length, or 0 when
    /// the result would not fit in <paramref name="output"/> (callers size it to the largest result worth keeping).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length == 0)
        {
            return 0;
        }
        HashState state = t_state ??= new HashState();
        if (state.Bias > int.MaxValue - input.Length - 1)
        {
            Array.Clear(state.Slots);
            state.Bias = 1;
        }
        int bias = state.Bias;
        state.Bias += input.Length + 1;
        int[] table = state.Slots;
        int ip = 0;
        int op = 0;
        int litCount = 0;
        int litControl = op++; // reserved control byte of the current literal run
        if (litControl >= output.Length)
        {
            return 0;
        }
        int end = input.Length;
        while (ip < end - 2)
        {
            int h = Hash(input[ip], input[ip + 1], input[ip + 2]);
            int candidate = table[h] - bias;
            table[h] = ip + bias;
            int distance = ip - candidate;
            if (candidate > 0 && distance > 0 && distance <= MaxOffset
                && input[candidate] == input[ip] && input[candidate + 1] == input[ip + 1] && input[candidate + 2] == input[ip + 2])
            {
                int len = MatchLength(input, candidate, ip);
                // Close the pending literal run (drop its control byte when it is empty).
                if (litCount == 0)
                {
                    op--;
                }
                else
                {
                    output[litControl] = (byte)(litCount - 1);
                }
                int encodedLen = len - 2;
                int offset = distance - 1;
                // Redis gives up unless a back reference and one more control byte fit with a byte to spare; the
                // same test makes the same "does not compress" decision near the length-4 limit.
                if (op + 4 >= output.Length)
                {
                    return 0;
                }
                if (encodedLen < 7)
                {
                    output[op++] = (byte)((encodedLen << 5) | (offset >> 8));
                }
                else
                {
                    output[op++] = (byte)((7 << 5) | (offset >> 8));
                    output[op++] = (byte)(encodedLen - 7);
                }
                output[op++] = (byte)offset;
                litCount = 0;
                litControl = op++; // may sit just past the end: it is dropped again if no literal follows
                // Index a couple of positions inside the match so later repeats of its tail are found too.
                int next = ip + len;
                for (int p = Math.Max(ip + 1, next - 2); p < next && p < end - 2; p++)
                {
                    table[Hash(input[p], input[p + 1], input[p + 2])] = p + bias;
                }
                ip = next;
                continue;
            }
            if (!EmitLiteral(input[ip++], output, ref op, ref litCount, ref litControl))
            {
                return 0;
            }
        }
        // Redis gives up here unless 3 more bytes fit (its last literals go unchecked), so an output that would fit
        // exactly is "does not compress" for both.
        if (op + 3 > output.Length)
        {
            return 0;
        }
        while (ip < end)
        {
            if (!EmitLiteral(input[ip++], output, ref op, ref litCount, ref litControl))
            {
                return 0;
            }
        }
        if (litCount == 0)
        {
            op--;
        }
        else
        {
            output[litControl] = (byte)(litCount - 1);
        }
        return op;
    }

    /// <summary>
    /// Length of the match at <paramref name="ip"/> (its first 3 bytes are known equal), bounded as Redis's
    /// compressor bounds it, so simple inputs compress to Redis's bytes (spec §1.14's example): normally it may not
    /// cover the last two input bytes, but when more than 16 bytes remain beyond those, the first 19 bytes are
    /// compared without that bound (which can reach the very end, as Redis does for 21 equal bytes).
    /// </summary>
    private static int MatchLength(ReadOnlySpan<byte> input, int candidate, int ip)
    {
        int maxLen = Math.Min(input.Length - ip - 2, MaxMatch);
        int len = MinMatch;
        if (maxLen > 16)
        {
            while (len < 19 && input[candidate + len] == input[ip + len])
            {
                len++;
            }
            if (len < 19)
            {
                return len;
            }
        }
        while (len < maxLen && input[candidate + len] == input[ip + len])
        {
            len++;
        }
        return len;
    }

    private static bool EmitLiteral(byte b, Span<byte> output, ref int op, ref int litCount, ref int litControl)
    {
        if (op >= output.Length)
        {
            return false;
        }
        output[op++] = b;
        if (++litCount == MaxLiteral)
        {
            output[litControl] = MaxLiteral - 1;
            litCount = 0;
            litControl = op++; // may sit just past the end: it is dropped again if no literal follows
        }
        return true;
    }

    /// <summary>The slot of a 3-byte sequence: the same function Redis's compressor uses, so both find the same
    /// earlier occurrences and produce the same bytes.</summary>
    private static int Hash(byte a, byte b, byte c) => ((a << 8 | b) - (5 * (b << 8 | c))) & ((1 << HashBits) - 1);

    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>. Returns false on any malformed input
    /// (truncated control data, a back reference before the start, or output overflow); never throws.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output, out int written)
    {
        int ip = 0;
        int op = 0;
        written = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 0x20)
            {
                int run = ctrl + 1;
                if (ip + run > input.Length || op + run > output.Length)
                {
                    return false;
                }
                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
                continue;
            }
            int len = ctrl >> 5;
            if (len == 7)
            {
                if (ip >= input.Length)
                {
                    return false;
                }
                len += input[ip++];
            }
            len += 2;
            if (ip >= input.Length)
            {
                return false;
            }
            int back = ((ctrl & 0x1F) << 8) + input[ip++] + 1;
            if (back > op || op + len > output.Length)
            {
                return false;
            }
            int src = op - back;
            if (back >= len)
            {
                output.Slice(src, len).CopyTo(output[op..]);
                op += len;
            }
            else
            {
                for (int i = 0; i < len; i++)
                {
                    output[op++] = output[src++];
                }
            }
        }
        written = op;
        return true;
    }
}
