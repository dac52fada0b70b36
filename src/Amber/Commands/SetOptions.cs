namespace Amber.Commands;

/// <summary>The options of SET and GETEX, as flags.</summary>
[Flags]
internal enum SetFlags
{
    None = 0,
    Nx = 1 << 0,
    Xx = 1 << 1,
    Get = 1 << 2,
    KeepTtl = 1 << 3,
    Persist = 1 << 4,
    /// <summary>Relative seconds.</summary>
    Ex = 1 << 5,
    /// <summary>Relative milliseconds.</summary>
    Px = 1 << 6,
    /// <summary>Absolute Unix seconds.</summary>
    ExAt = 1 << 7,
    /// <summary>Absolute Unix milliseconds.</summary>
    PxAt = 1 << 8,

    AnyExpire = Ex | Px | ExAt | PxAt,
    Absolute = ExAt | PxAt,
    Seconds = Ex | ExAt,
}

/// <summary>
/// Parses SET's options (EX PX EXAT PXAT NX XX KEEPTTL GET) and GETEX's (EX PX EXAT PXAT PERSIST), with
/// Redis's rules: an expiry option may repeat (the last wins) but not mix with another kind, KEEPTTL/PERSIST
/// exclude every expiry, NX excludes XX. Anything else is a syntax error.
/// </summary>
internal static class SetOptions
{
    /// <summary>Reads options from argument <paramref name="from"/> on; replies with the error and returns false on failure.</summary>
    public static bool TryParse(CommandContext ctx, int from, bool forGetEx, out SetFlags flags, out int expireIndex)
    {
        flags = SetFlags.None;
        expireIndex = -1;
        bool forSet = !forGetEx;
        for (int j = from; j < ctx.ArgCount; j++)
        {
            ReadOnlySpan<byte> opt = ctx.Arg(j);
            bool hasNext = j + 1 < ctx.ArgCount;
            SetFlags expireKind = ExpireKind(opt);
            if (forSet && Is(opt, "nx") && (flags & SetFlags.Xx) == 0)
            {
                flags |= SetFlags.Nx;
            }
            else if (forSet && Is(opt, "xx") && (flags & SetFlags.Nx) == 0)
            {
                flags |= SetFlags.Xx;
            }
            else if (forSet && Is(opt, "get"))
            {
                flags |= SetFlags.Get;
            }
            else if (forSet && Is(opt, "keepttl") && (flags & (SetFlags.Persist | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (forGetEx && Is(opt, "persist") && (flags & (SetFlags.KeepTtl | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (expireKind != SetFlags.None && hasNext &&
                     (flags & (SetFlags.KeepTtl | SetFlags.Persist | (SetFlags.AnyExpire & ~expireKind))) == 0)
            {
                flags |= expireKind;
                expireIndex = ++j;
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        return true;
    }

    private static SetFlags ExpireKind(ReadOnlySpan<byte> opt)
    {
        if (Is(opt, "ex"))
        {
            return SetFlags.Ex;
        }
        if (Is(opt, "px"))
        {
            return SetFlags.Px;
        }
        if (Is(opt, "exat"))
        {
            return SetFlags.ExAt;
        }
        return Is(opt, "pxat") ? SetFlags.PxAt : SetFlags.None;
    }

    private static bool Is(ReadOnlySpan<byte> arg, string keyword) => System.Text.Ascii.EqualsIgnoreCase(arg, keyword);

    /// <summary>
    /// Turns the expiry argument into absolute Unix milliseconds. Zero, negative, or overflowing values are
    /// "invalid expire time in '&lt;command&gt;' command"; a non-integer is the usual integer error.
    /// </summary>
    public static bool TryGetExpireAt(CommandContext ctx, int index, SetFlags flags, out long whenMs)
    {
        if (!ctx.TryGetLong(index, out whenMs))
        {
            return false;
        }
        bool seconds = (flags & SetFlags.Seconds) != 0;
        if (whenMs <= 0 || (seconds && whenMs > long.MaxValue / 1000))
        {
            InvalidExpire(ctx);
            return false;
        }
        if (seconds)
        {
            whenMs *= 1000;
        }
        if ((flags & SetFlags.Absolute) == 0)
        {
            // Redis adds the clock and treats a wrapped (non-positive) result as invalid.
            whenMs = unchecked(whenMs + ctx.NowMs);
        }
        if (whenMs <= 0)
        {
            InvalidExpire(ctx);
            return false;
        }
        return true;
    }

    public static void InvalidExpire(CommandContext ctx) => ctx.Error(string.Format(System.Globalization.CultureInfo.InvariantCulture, Errors.InvalidExpire, ctx.Command.FullName));
}
