using System.Globalization;
using Amber.Server;

namespace Amber.Config;

[Flags]
internal enum ConfigFlags
{
    None = 0,

    /// <summary>Only settable at startup (file or command line).</summary>
    Immutable = 1 << 0,

    /// <summary>CONFIG SET needs enable-protected-configs yes (or local for loopback clients).</summary>
    Protected = 1 << 1,

    /// <summary>The value is a secret (passwords).</summary>
    Sensitive = 1 << 2,

    /// <summary>Takes several arguments (save, bind, ...); a single value is split on spaces.</summary>
    MultiArg = 1 << 3,

    /// <summary>Not listed by CONFIG GET patterns; only by its exact name.</summary>
    Hidden = 1 << 4,
}

/// <summary>
/// One configuration parameter: how it is parsed and validated (file, command line and CONFIG SET share this),
/// how CONFIG GET shows it, and how CONFIG REWRITE writes it. Values live in <see cref="ServerConfig"/>.
/// </summary>
internal abstract class ConfigParam(string name, string? alias, ConfigFlags flags)
{
    public string Name { get; } = name;
    public string? Alias { get; } = alias;
    public ConfigFlags Flags { get; } = flags;

    /// <summary>Live effect on a running server after CONFIG SET changed the value; returns an error text on failure.</summary>
    public Func<AmberServer, string?>? Apply { get; init; }

    public bool Has(ConfigFlags flag) => (Flags & flag) != 0;

    /// <summary>The value as CONFIG GET shows it.</summary>
    public abstract string Get(ServerConfig config);

    /// <summary>Validates the arguments; on success <paramref name="value"/> is what <see cref="Set"/> stores.</summary>
    public abstract bool TryParse(ServerConfig config, string[] args, out object? value, out string error);

    public abstract void Set(ServerConfig config, object? value);

    public abstract void Rewrite(ServerConfig config, ConfigRewriteState state);
}

internal sealed class BoolParam(string name, string? alias, ConfigFlags flags, bool defaultValue,
    Func<ServerConfig, bool> getter, Action<ServerConfig, bool> setter) : ConfigParam(name, alias, flags)
{
    public bool Default { get; } = defaultValue;

    public override string Get(ServerConfig config) => getter(config) ? "yes" : "no";

    public override bool TryParse(ServerConfig config, string[] args, out object? value, out string error)
    {
        value = null;
        error = "";
        if (args[0].Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
        }
        else if (args[0].Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            value = false;
        }
        else
        {
            error = "argument must be 'yes' or 'no'";
            return false;
        }
        return true;
    }

    public override void Set(ServerConfig config, object? value) => setter(config, (bool)value!);

    public override void Rewrite(ServerConfig config, ConfigRewriteState state)
    {
        bool v = getter(config);
        state.RewriteLine(Name, Name + (v ? " yes" : " no"), v != Default);
    }
}

internal enum NumberFormat
{
    Integer,
    Memory,
    MemoryOrPercent,
    Octal,
}

/// <summary>
/// Integers, memory sizes (1k, 1kb, 1m, 1mb, 1g, 1gb), percentages (stored negative, as Redis does) and octal numbers.
/// Bounds of unsigned parameters compare and print as unsigned, as Redis's error messages do.
/// </summary>
internal sealed class NumberParam(string name, string? alias, ConfigFlags flags, NumberFormat format, bool unsigned,
    long min, long max, long defaultValue, Func<ServerConfig, long> getter, Action<ServerConfig, long> setter) : ConfigParam(name, alias, flags)
{
    public long Default { get; } = defaultValue;
    public NumberFormat Format { get; } = format;

    public override string Get(ServerConfig config)
    {
        long v = getter(config);
        return Format switch
        {
            NumberFormat.MemoryOrPercent when v < 0 => (-v).ToString(CultureInfo.InvariantCulture) + "%",
            NumberFormat.Memory or NumberFormat.MemoryOrPercent => ((ulong)v).ToString(CultureInfo.InvariantCulture),
            NumberFormat.Octal => Convert.ToString(v, 8),
            _ => v.ToString(CultureInfo.InvariantCulture),
        };
    }

    public override bool TryParse(ServerConfig config, string[] args, out object? value, out string error)
    {
        value = null;
        error = "";
        if (!TryParseNumber(args[0], out long v, out error))
        {
            return false;
        }
        if (unsigned)
        {
            if ((ulong)v > (ulong)max || (ulong)v < (ulong)min)
            {
                error = Format == NumberFormat.Octal
                    ? $"argument must be between {Convert.ToString(min, 8)} and {Convert.ToString(max, 8)} inclusive"
                    : $"argument must be between {(ulong)min} and {(ulong)max} inclusive";
                return false;
            }
        }
        else if (Format == NumberFormat.MemoryOrPercent && v < 0)
        {
            if (v < min)
            {
                error = $"percentage argument must be less or equal to {-min}";
                return false;
            }
        }
        else if (v > max || v < min)
        {
            error = $"argument must be between {min} and {max} inclusive";
            return false;
        }
        value = v;
        return true;
    }

    private bool TryParseNumber(string text, out long v, out string error)
    {
        error = "";
        if (Format is NumberFormat.Memory or NumberFormat.MemoryOrPercent && ConfigUnits.TryParseMemory(text, out ulong bytes))
        {
            v = (long)bytes;
            return true;
        }
        if (Format == NumberFormat.MemoryOrPercent && text.Length > 1 && text[^1] == '%' &&
            long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long pct) &&
            IsStrictInteger(text.AsSpan(0, text.Length - 1)) && pct >= 0)
        {
            v = -pct;
            return true;
        }
        if (Format == NumberFormat.Octal && ConfigUnits.TryParseOctal(text, out v))
        {
            return true;
        }
        if (Format == NumberFormat.Integer && IsStrictInteger(text) &&
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v))
        {
            return true;
        }
        v = 0;
        error = Format switch
        {
            NumberFormat.MemoryOrPercent => "argument must be a memory or percent value",
            NumberFormat.Memory => "argument must be a memory value",
            NumberFormat.Octal => "argument couldn't be parsed as an octal number",
            _ => "argument couldn't be parsed into an integer",
        };
        return false;
    }

    /// <summary>Redis's string2ll shape: optional '-', digits, no leading zeros (except "0"), no '+' or spaces.</summary>
    internal static bool IsStrictInteger(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || s.Length > 20)
        {
            return false;
        }
        if (s is "0")
        {
            return true;
        }
        int start = s[0] == '-' ? 1 : 0;
        if (start == s.Length || s[start] is < '1' or > '9')
        {
            return false;
        }
        for (int i = start + 1; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override void Set(ServerConfig config, object? value) => setter(config, (long)value!);

    public override void Rewrite(ServerConfig config, ConfigRewriteState state)
    {
        long v = getter(config);
        bool force = v != Default;
        string text = Format switch
        {
            NumberFormat.MemoryOrPercent when v < 0 => (-v).ToString(CultureInfo.InvariantCulture) + "%",
            NumberFormat.Memory or NumberFormat.MemoryOrPercent => ConfigUnits.FormatMemory(v),
            NumberFormat.Octal => Convert.ToString(v, 8),
            _ => v.ToString(CultureInfo.InvariantCulture),
        };
        state.RewriteLine(Name, Name + " " + text, force);
    }
}

/// <summary>A choice among names (case-insensitive). With MultiArg the names are bit flags combined by OR.</summary>
internal sealed class EnumParam(string name, string? alias, ConfigFlags flags, (string Name, int Value)[] values, int defaultValue,
    Func<ServerConfig, int> getter, Action<ServerConfig, int> setter) : ConfigParam(name, alias, flags)
{
    public Func<int, string?>? Validate { get; init; }

    public override string Get(ServerConfig config) => NameOf(getter(config));

    public string NameOf(int value)
    {
        string? names = null;
        int unmatched = value;
        foreach (var (n, v) in values)
        {
            if (v == value)
            {
                return n;
            }
            if (Has(ConfigFlags.MultiArg) && v != 0 && (unmatched & v) == v)
            {
                names = names == null ? n : names + " " + n;
                unmatched &= ~v;
            }
        }
        return names ?? "unknown";
    }

    public override bool TryParse(ServerConfig config, string[] args, out object? value, out string error)
    {
        value = null;
        error = "";
        int result = 0;
        bool ok = args.Length > 0 && (args.Length == 1 || Has(ConfigFlags.MultiArg));
        foreach (string arg in args)
        {
            bool found = false;
            foreach (var (n, v) in values)
            {
                if (n.Equals(arg, StringComparison.OrdinalIgnoreCase))
                {
                    result |= v;
                    found = true;
                    break;
                }
            }
            ok &= found;
        }
        if (!ok)
        {
            error = "argument(s) must be one of the following: " + string.Join(", ", Array.ConvertAll(values, x => x.Name));
            return false;
        }
        if (Validate?.Invoke(result) is string invalid)
        {
            error = invalid;
            return false;
        }
        value = result;
        return true;
    }

    public override void Set(ServerConfig config, object? value) => setter(config, (int)value!);

    public override void Rewrite(ServerConfig config, ConfigRewriteState state)
    {
        int v = getter(config);
        state.RewriteLine(Name, Name + " " + NameOf(v), v != defaultValue);
    }
}

/// <summary>
/// A string. With <paramref name="emptyIsNull"/> an empty value means "not set": CONFIG REWRITE then removes it
/// from the file instead of writing it.
/// </summary>
internal sealed class StringParam(string name, string? alias, ConfigFlags flags, string defaultValue, bool emptyIsNull,
    Func<ServerConfig, string> getter, Action<ServerConfig, string> setter) : ConfigParam(name, alias, flags)
{
    public Func<string, string?>? Validate { get; init; }

    public override string Get(ServerConfig config) => getter(config);

    public override bool TryParse(ServerConfig config, string[] args, out object? value, out string error)
    {
        value = null;
        error = "";
        if (Validate?.Invoke(args[0]) is string invalid)
        {
            error = invalid;
            return false;
        }
        value = args[0];
        return true;
    }

    public override void Set(ServerConfig config, object? value) => setter(config, (string)value!);

    public override void Rewrite(ServerConfig config, ConfigRewriteState state)
    {
        string v = getter(config);
        if (emptyIsNull && v.Length == 0)
        {
            state.MarkProcessed(Name);
            return;
        }
        bool force = emptyIsNull || v != defaultValue;
        state.RewriteLine(Name, Name + " " + ConfigText.Repr(v), force);
    }
}

/// <summary>A parameter with its own syntax (save, bind, dir, client-output-buffer-limit ...).</summary>
internal sealed class SpecialParam(string name, string? alias, ConfigFlags flags) : ConfigParam(name, alias, flags)
{
    public required Func<ServerConfig, string> Getter { get; init; }

    /// <summary>Returns the value to store, or null with the error text set.</summary>
    public required Func<ServerConfig, string[], (object? Value, string? Error)> Parser { get; init; }
    public required Action<ServerConfig, object?> Setter { get; init; }
    public required Action<ServerConfig, ConfigRewriteState, string> Rewriter { get; init; }

    public override string Get(ServerConfig config) => Getter(config);

    public override bool TryParse(ServerConfig config, string[] args, out object? value, out string error)
    {
        (value, string? e) = Parser(config, args);
        error = e ?? "";
        return e == null;
    }

    public override void Set(ServerConfig config, object? value) => Setter(config, value);

    public override void Rewrite(ServerConfig config, ConfigRewriteState state) => Rewriter(config, state, Name);
}
