using Amber.Protocol;

namespace Amber.Commands;

/// <summary>Argument types as COMMAND DOCS names them.</summary>
internal enum ArgType
{
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

[Flags]
internal enum ArgFlags
{
    None = 0,
    Optional = 1 << 0,
    Multiple = 1 << 1,
    MultipleToken = 1 << 2,
}

/// <summary>
/// One argument in a command's documentation (COMMAND DOCS "arguments"), which redis-cli turns into its help text
/// and typing hints. OneOf and Block arguments nest their own arguments.
/// </summary>
internal sealed class CommandArg(string name, ArgType type)
{
    public string Name { get; } = name;
    public ArgType Type { get; } = type;
    public string? Token { get; init; }
    public ArgFlags Flags { get; init; }

    /// <summary>For key arguments: the index of the key spec that finds this key.</summary>
    public int KeySpecIndex { get; init; } = -1;
    public string? Since { get; init; }
    public string? DisplayText { get; init; }
    public CommandArg[] Arguments { get; init; } = [];

    private static string TypeName(ArgType type) => type switch
    {
        ArgType.String => "string",
        ArgType.Integer => "integer",
        ArgType.Double => "double",
        ArgType.Key => "key",
        ArgType.Pattern => "pattern",
        ArgType.UnixTime => "unix-time",
        ArgType.PureToken => "pure-token",
        ArgType.OneOf => "oneof",
        _ => "block",
    };

    /// <summary>Writes an argument list as Redis's addReplyCommandArgList: an array of maps, fields in Redis's order.</summary>
    public static void WriteList(RespWriter w, CommandArg[] args)
    {
        w.WriteArrayHeader(args.Length);
        foreach (CommandArg a in args)
        {
            a.Write(w);
        }
    }

    private void Write(RespWriter w)
    {
        bool nested = Type is ArgType.OneOf or ArgType.Block;
        int fields = 2 + (DisplayText != null ? 1 : 0) + (KeySpecIndex >= 0 ? 1 : 0) + (Token != null ? 1 : 0)
            + (Since != null ? 1 : 0) + (Flags != ArgFlags.None ? 1 : 0) + (nested ? 1 : 0);
        w.WriteMapHeader(fields);
        w.WriteBulkString("name");
        w.WriteBulkString(Name);
        w.WriteBulkString("type");
        w.WriteBulkString(TypeName(Type));
        if (DisplayText != null)
        {
            w.WriteBulkString("display_text");
            w.WriteBulkString(DisplayText);
        }
        if (KeySpecIndex >= 0)
        {
            w.WriteBulkString("key_spec_index");
            w.WriteInteger(KeySpecIndex);
        }
        if (Token != null)
        {
            w.WriteBulkString("token");
            w.WriteBulkString(Token);
        }
        if (Since != null)
        {
            w.WriteBulkString("since");
            w.WriteBulkString(Since);
        }
        if (Flags != ArgFlags.None)
        {
            w.WriteBulkString("flags");
            w.WriteSetHeader(System.Numerics.BitOperations.PopCount((uint)Flags));
            if ((Flags & ArgFlags.Optional) != 0)
            {
                w.WriteSimpleString("optional");
            }
            if ((Flags & ArgFlags.Multiple) != 0)
            {
                w.WriteSimpleString("multiple");
            }
            if ((Flags & ArgFlags.MultipleToken) != 0)
            {
                w.WriteSimpleString("multiple_token");
            }
        }
        if (nested)
        {
            w.WriteBulkString("arguments");
            WriteList(w, Arguments);
        }
    }
}
