using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Amber.Keyspace;
using Amber.Protocol;
using Amber.Server;

namespace Amber.Commands;

/// <summary>
/// What a command handler sees: its arguments, the reply writer, the client and the server.
/// One per session, reused for every request (no allocation per command).
/// </summary>
internal sealed partial class CommandContext(AmberServer server, ClientSession session, ArgList args, RespWriter reply)
{
    public AmberServer Server { get; } = server;
    public ClientSession Session { get; } = session;
    public ArgList Args { get; } = args;
    public RespWriter Reply { get; } = reply;
    public CommandSpec Command { get; set; } = null!;

    /// <summary>The time the command started, in Unix milliseconds: one clock for the whole command, as Redis does.</summary>
    public long NowMs { get; set; }

    /// <summary>Set when the handler replied with an error (for INFO failed_calls/errorstats).</summary>
    public bool Failed { get; set; }

    /// <summary>Arguments hidden from MONITOR and SLOWLOG (bit i = argument i), e.g. AUTH's password.</summary>
    public ulong RedactedArgs { get; set; }

    /// <summary>Shows argument <paramref name="i"/> as "(redacted)" in MONITOR and SLOWLOG, as Redis does for secrets.</summary>
    public void RedactArgument(int i)
    {
        if (i < 64)
        {
            RedactedArgs |= 1UL << i;
        }
    }

    public Database Db => Server.Databases[Session.DbIndex];
    public int ArgCount => Args.Count;
    public ReadOnlySpan<byte> Arg(int i) => Args[i];
    public string ArgString(int i) => Encoding.UTF8.GetString(Args[i]);
    public bool ArgIs(int i, string keyword) => Ascii.EqualsIgnoreCase(Args[i], keyword);

    /// <summary>Replies with an error and records it under its code in INFO errorstats.</summary>
    public void Error(string message)
    {
        Failed = true;
        Server.Stats.RecordError(message);
        Reply.WriteError(message);
    }

    public void WrongArgs() => Error(Errors.WrongArgs(Command.FullName));

    public void SyntaxError() => Error(Errors.Syntax);

    public void WrongType() => Error(Errors.WrongType);

    /// <summary>Parses a Redis integer argument (strict: no spaces, no leading '+', no leading zeros); replies with the error on failure.</summary>
    public bool TryGetLong(int i, out long value, string error = Errors.NotInteger)
    {
        if (TryParseLong(Args[i], out value))
        {
            return true;
        }
        Error(error);
        return false;
    }

    public bool TryGetDouble(int i, out double value, string error = Errors.NotFloat)
    {
        if (TryParseDouble(Args[i], out value))
        {
            return true;
        }
        Error(error);
        return false;
    }

    /// <summary>Redis's string2ll: an optional '-', then digits without leading zeros, within 64 bits.</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20)
        {
            return false;
        }
        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }
        int start = text[0] == (byte)'-' ? 1 : 0;
        if (start == text.Length || text[start] < (byte)'1' || text[start] > (byte)'9')
        {
            return false;
        }
        return Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length;
    }

    /// <summary>Redis's strtold-based parse: decimal or exponent form, inf/-inf; no NaN, no spaces.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 5000 || char.IsWhiteSpace((char)text[0]) || char.IsWhiteSpace((char)text[^1]))
        {
            return false;
        }
        Span<char> chars = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }
        ReadOnlySpan<char> s = chars;
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("+inf", StringComparison.OrdinalIgnoreCase) ||
            s.Equals("infinity", StringComparison.OrdinalIgnoreCase) || s.Equals("+infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (s.Equals("-inf", StringComparison.OrdinalIgnoreCase) || s.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }
        foreach (char c in s)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E'))
            {
                return false;
            }
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }
}
