using System.Buffers.Text;
using Amber.Keyspace;
using Amber.Notifications;
using Amber.Text;

namespace Amber.Commands;

/// <summary>INCR DECR INCRBY DECRBY INCRBYFLOAT: numbers kept as their decimal text. A key's TTL survives.</summary>
internal static class CounterCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags Flags = CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.Fast;
        t.Add(new("incr", 2, Flags, 1, 1, 1, "write string fast", Incr) { Group = "string", Complexity = "O(1)", Summary = "Adds one to the integer in a key." });
        t.Add(new("decr", 2, Flags, 1, 1, 1, "write string fast", Decr) { Group = "string", Complexity = "O(1)", Summary = "Subtracts one from the integer in a key." });
        t.Add(new("incrby", 3, Flags, 1, 1, 1, "write string fast", IncrBy) { Group = "string", Complexity = "O(1)", Summary = "Adds an integer to the integer in a key." });
        t.Add(new("decrby", 3, Flags, 1, 1, 1, "write string fast", DecrBy) { Group = "string", Complexity = "O(1)", Summary = "Subtracts an integer from the integer in a key." });
        t.Add(new("incrbyfloat", 3, Flags, 1, 1, 1, "write string fast", IncrByFloat) { Group = "string", Since = "2.6.0", Complexity = "O(1)", Summary = "Adds a decimal number to the number in a key." });
    }

    private static void Incr(CommandContext ctx) => IncrDecr(ctx, 1);

    private static void Decr(CommandContext ctx) => IncrDecr(ctx, -1);

    private static void IncrBy(CommandContext ctx)
    {
        if (ctx.TryGetLong(2, out long increment))
        {
            IncrDecr(ctx, increment);
        }
    }

    private static void DecrBy(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long decrement))
        {
            return;
        }
        if (decrement == long.MinValue)
        {
            ctx.Error(Errors.DecrementOverflow);
            return;
        }
        IncrDecr(ctx, -decrement);
    }

    private static void IncrDecr(CommandContext ctx, long increment)
    {
        if (!StringCommands.TryGetStringForWrite(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        long value = 0;
        if (entry != null && !CommandContext.TryParseLong(entry.StringValue, out value))
        {
            ctx.Error(Errors.NotInteger);
            return;
        }
        if ((increment < 0 && value < 0 && increment < long.MinValue - value) ||
            (increment > 0 && value > 0 && increment > long.MaxValue - value))
        {
            ctx.Error(Errors.Overflow);
            return;
        }
        value += increment;
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, text, out int n);
        Store(ctx, entry, text[..n]);
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "incrby");
        ctx.Reply.WriteInteger(value);
    }

    private static void IncrByFloat(CommandContext ctx)
    {
        if (!StringCommands.TryGetStringForWrite(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        LongDouble value = LongDouble.Zero;
        if ((entry != null && !LongDouble.TryParse(entry.StringValue, out value)) || !LongDouble.TryParse(ctx.Arg(2), out LongDouble increment))
        {
            ctx.Error(Errors.NotFloat);
            return;
        }
        if (!LongDouble.TryAdd(value, increment, out LongDouble sum))
        {
            ctx.Error(Errors.IncrFloatNaN);
            return;
        }
        byte[] text = sum.ToHumanBytes();
        Store(ctx, entry, text);
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "incrbyfloat");
        if (ctx.Propagating)
        {
            // The sum as printed, so a replica or a reload gets the same bytes whatever its floating point.
            ctx.PropagateAs(4).Arg("SET"u8).Arg(ctx.Arg(1)).Arg(text).Arg("KEEPTTL"u8);
        }
        ctx.Reply.WriteBulkString(text);
    }

    /// <summary>Replaces the value in place (keeping the TTL) or adds the key.</summary>
    private static void Store(CommandContext ctx, Entry? entry, ReadOnlySpan<byte> text)
    {
        if (entry == null)
        {
            ctx.Db.AddString(ctx.Arg(1), text);
            return;
        }
        entry.SetString(text);
        entry.ForceRawEncoding = false;
    }
}
