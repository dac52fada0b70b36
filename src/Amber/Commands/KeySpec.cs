using System.Text;
using Amber.Protocol;

namespace Amber.Commands;

/// <summary>Redis 7's key-spec flags, in the order COMMAND INFO prints them.</summary>
[Flags]
internal enum KeySpecFlags
{
    None = 0,
    RO = 1 << 0,
    RW = 1 << 1,
    OW = 1 << 2,
    RM = 1 << 3,
    Access = 1 << 4,
    Update = 1 << 5,
    Insert = 1 << 6,
    Delete = 1 << 7,
    NotKey = 1 << 8,
    Incomplete = 1 << 9,
    VariableFlags = 1 << 10,
}

/// <summary>
/// One Redis 7 key spec: where the search for keys begins (an index, or the argument after a keyword) and how
/// keys are found from there (a range, or a count argument followed by that many keys).
/// </summary>
internal sealed class KeySpec
{
    private static readonly string[] FlagNames =
        ["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

    public KeySpecFlags Flags { get; init; }
    public string? Notes { get; init; }

    /// <summary>begin_search index form: the first key's argument position (when <see cref="Keyword"/> is null).</summary>
    public int BeginIndex { get; init; }

    /// <summary>begin_search keyword form: keys start after this keyword, searched from <see cref="KeywordStartFrom"/> (negative = from the end).</summary>
    public string? Keyword { get; init; }
    public int KeywordStartFrom { get; init; }

    /// <summary>find_keys keynum form when true; range form otherwise.</summary>
    public bool IsKeynum { get; init; }

    /// <summary>Range: last key relative to the first (negative = from the end); step; limit (0 = none).</summary>
    public int LastKey { get; init; }
    public int KeyStep { get; init; } = 1;
    public int Limit { get; init; }

    /// <summary>Keynum: where the count is relative to the begin position, and where the first key is relative to it.</summary>
    public int KeynumIndex { get; init; }
    public int FirstKey { get; init; }

    /// <summary>begin_search and find_keys of type "unknown": the keys cannot be told from the arguments' positions (SORT).</summary>
    public bool IsUnknown { get; init; }

    public static KeySpec Unknown(KeySpecFlags flags, string? notes = null) => new() { Flags = flags, Notes = notes, IsUnknown = true };

    public static KeySpec Range(KeySpecFlags flags, int index, int lastKey, int step = 1, int limit = 0) =>
        new() { Flags = flags, BeginIndex = index, LastKey = lastKey, KeyStep = step, Limit = limit };

    public static KeySpec Keynum(KeySpecFlags flags, int index, int keynumIndex, int firstKey, int step = 1) =>
        new() { Flags = flags, BeginIndex = index, IsKeynum = true, KeynumIndex = keynumIndex, FirstKey = firstKey, KeyStep = step };

    /// <summary>The command's key specs: the declared ones, or one range spec derived from first/last/step.</summary>
    public static KeySpec[] For(CommandSpec command)
    {
        if (command.KeySpecs != null)
        {
            return command.KeySpecs;
        }
        if (command.FirstKey <= 0)
        {
            return [];
        }
        KeySpecFlags flags = command.Has(CommandFlags.ReadOnly) && !command.Has(CommandFlags.Write)
            ? KeySpecFlags.RO | KeySpecFlags.Access
            : KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update;
        int last = command.LastKey < 0 ? command.LastKey : command.LastKey - command.FirstKey;
        return [Range(flags, command.FirstKey, last, Math.Max(1, command.Step))];
    }

    public static void WriteFlags(RespWriter w, KeySpecFlags flags)
    {
        int count = System.Numerics.BitOperations.PopCount((uint)flags);
        w.WriteSetHeader(count);
        for (int i = 0; i < FlagNames.Length; i++)
        {
            if (((int)flags & (1 << i)) != 0)
            {
                w.WriteSimpleString(FlagNames[i]);
            }
        }
    }

    /// <summary>Writes this spec as the map COMMAND INFO shows.</summary>
    public void Write(RespWriter w)
    {
        w.WriteMapHeader(Notes != null ? 4 : 3);
        if (Notes != null)
        {
            w.WriteBulkString("notes");
            w.WriteBulkString(Notes);
        }
        w.WriteBulkString("flags");
        WriteFlags(w, Flags);

        w.WriteBulkString("begin_search");
        w.WriteMapHeader(2);
        w.WriteBulkString("type");
        if (IsUnknown)
        {
            w.WriteBulkString("unknown");
            w.WriteBulkString("spec");
            w.WriteMapHeader(0);
            w.WriteBulkString("find_keys");
            w.WriteMapHeader(2);
            w.WriteBulkString("type");
            w.WriteBulkString("unknown");
            w.WriteBulkString("spec");
            w.WriteMapHeader(0);
            return;
        }
        if (Keyword == null)
        {
            w.WriteBulkString("index");
            w.WriteBulkString("spec");
            w.WriteMapHeader(1);
            w.WriteBulkString("index");
            w.WriteInteger(BeginIndex);
        }
        else
        {
            w.WriteBulkString("keyword");
            w.WriteBulkString("spec");
            w.WriteMapHeader(2);
            w.WriteBulkString("keyword");
            w.WriteBulkString(Keyword);
            w.WriteBulkString("startfrom");
            w.WriteInteger(KeywordStartFrom);
        }

        w.WriteBulkString("find_keys");
        w.WriteMapHeader(2);
        w.WriteBulkString("type");
        w.WriteBulkString(IsKeynum ? "keynum" : "range");
        w.WriteBulkString("spec");
        w.WriteMapHeader(3);
        if (IsKeynum)
        {
            w.WriteBulkString("keynumidx");
            w.WriteInteger(KeynumIndex);
            w.WriteBulkString("firstkey");
            w.WriteInteger(FirstKey);
            w.WriteBulkString("keystep");
            w.WriteInteger(KeyStep);
        }
        else
        {
            w.WriteBulkString("lastkey");
            w.WriteInteger(LastKey);
            w.WriteBulkString("keystep");
            w.WriteInteger(KeyStep);
            w.WriteBulkString("limit");
            w.WriteInteger(Limit);
        }
    }

    /// <summary>
    /// Adds the key positions this spec finds in <paramref name="args"/> (args[0] is the command name), as Redis's
    /// getKeysUsingKeySpecs does. Returns false when the arguments do not fit the spec (a syntax error).
    /// </summary>
    public bool FindKeys(ArgList args, List<(int Position, KeySpecFlags Flags)> keys)
    {
        if (IsUnknown)
        {
            // Redis treats an unknown spec as invalid here and falls back to the command's own key finder.
            return false;
        }
        int argc = args.Count;
        int first = 0;
        if (Keyword == null)
        {
            first = BeginIndex;
        }
        else
        {
            byte[] keyword = Encoding.ASCII.GetBytes(Keyword);
            int start = KeywordStartFrom > 0 ? KeywordStartFrom : argc + KeywordStartFrom;
            int end = KeywordStartFrom > 0 ? argc - 1 : 0;
            for (int i = start; i != end; i = start <= end ? i + 1 : i - 1)
            {
                if (i >= argc || i < 1)
                {
                    break;
                }
                if (Ascii.EqualsIgnoreCase(args[i], keyword))
                {
                    first = i + 1;
                    break;
                }
            }
            if (first == 0)
            {
                return true;
            }
        }

        int last;
        int step;
        if (IsKeynum)
        {
            step = KeyStep;
            if (KeynumIndex >= argc - first || !CommandContext.TryParseLong(args[first + KeynumIndex], out long numKeys) || numKeys < 0 || numKeys > int.MaxValue)
            {
                return false;
            }
            first += FirstKey;
            last = first + (int)numKeys - 1;
        }
        else
        {
            step = KeyStep;
            if (LastKey >= 0)
            {
                last = first + LastKey;
            }
            else if (Limit == 0)
            {
                last = argc + LastKey;
            }
            else
            {
                last = first + ((argc - first) / Limit + LastKey);
            }
        }
        if (last >= argc || last < first || first >= argc)
        {
            return false;
        }
        for (int i = first; i <= last; i += step)
        {
            keys.Add((i, Flags));
        }
        return true;
    }
}
