using System.Numerics;
using Amber.Text;

namespace Amber.Commands;

/// <summary>The timeout argument of blocking commands (BLPOP, BLMOVE, BZPOPMIN ...): seconds as a float.</summary>
internal static class BlockingTimeout
{
    /// <summary>
    /// Parses seconds into an absolute deadline in Unix ms (0 = wait forever), as Redis's getTimeoutFromObjectOrReply:
    /// strtold (hex floats included), <c>(long long)ceill(seconds * 1000.0)</c> in x87 extended precision, where a
    /// value that does not fit 64 bits becomes LLONG_MIN and is refused as negative.
    /// </summary>
    public static bool TryGetDeadline(CommandContext ctx, int index, out long deadlineMs)
    {
        deadlineMs = 0;
        if (!LongDouble.TryParse(ctx.Arg(index), out LongDouble seconds))
        {
            ctx.Error(Errors.TimeoutNotFloat);
            return false;
        }
        long value = CeilMilliseconds(seconds);
        if (value < 0)
        {
            ctx.Error(Errors.TimeoutNegative);
            return false;
        }
        if (value > 0)
        {
            deadlineMs = value > long.MaxValue - ctx.NowMs ? long.MaxValue : ctx.NowMs + value;
        }
        return true;
    }

    /// <summary><c>(long long)ceill(seconds * 1000.0)</c>: the product rounded to a 64-bit significand (ties to even).</summary>
    internal static long CeilMilliseconds(LongDouble seconds)
    {
        if (seconds.IsInfinity)
        {
            return long.MinValue;
        }
        if (seconds.IsZero)
        {
            return 0;
        }
        BigInteger m = new BigInteger(seconds.Significand) * 1000;
        int e = seconds.Exponent;
        long bits = m.GetBitLength();
        if (bits > 64)
        {
            int shift = (int)(bits - 64);
            BigInteger kept = m >> shift;
            BigInteger rest = m - (kept << shift);
            BigInteger half = BigInteger.One << (shift - 1);
            if (rest > half || (rest == half && !kept.IsEven))
            {
                kept += 1;
            }
            m = kept;
            e += shift;
        }
        BigInteger result;
        if (e >= 0)
        {
            if (e > 64)
            {
                return long.MinValue;
            }
            result = m << e;
        }
        else
        {
            BigInteger whole = m >> -e;
            bool fraction = (whole << -e) != m;
            result = fraction && !seconds.IsNegative ? whole + 1 : whole;
        }
        if (seconds.IsNegative)
        {
            result = -result;
        }
        return result >= long.MinValue && result <= long.MaxValue ? (long)result : long.MinValue;
    }
}
