namespace Amber.Commands;

/// <summary>The timeout argument of blocking commands (BLPOP, BLMOVE, BZPOPMIN ...): seconds as a float.</summary>
internal static class BlockingTimeout
{
    /// <summary>
    /// Parses seconds into an absolute deadline in Unix ms (0 = wait forever), as Redis's getTimeoutFromObjectOrReply:
    /// milliseconds rounded up, and a value that does not fit 64 bits turns negative (as C's cast does) and is refused.
    /// </summary>
    public static bool TryGetDeadline(CommandContext ctx, int index, out long deadlineMs)
    {
        deadlineMs = 0;
        if (!CommandContext.TryParseDouble(ctx.Arg(index), out double seconds))
        {
            ctx.Error(Errors.TimeoutNotFloat);
            return false;
        }
        double ms = Math.Ceiling(seconds * 1000.0);
        long value = ms >= -9.2233720368547758E18 && ms < 9.2233720368547758E18 ? (long)ms : long.MinValue;
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
}
