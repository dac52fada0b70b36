namespace Amber.Commands;

/// <summary>Redis 7.0's error replies, byte for byte (without the leading '-').</summary>
internal static class Errors
{
    public const string Syntax = "ERR syntax error";
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NoSuchKey = "ERR no such key";
    public const string OutOfRange = "ERR index out of range";
    public const string InvalidDbIndex = "ERR DB index is out of range";
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string InvalidExpire = "ERR invalid expire time in '{0}' command";
    public const string BitOffset = "ERR bit offset is not an integer or out of range";
    public const string BitValue = "ERR bit is not an integer or out of range";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public const string InvalidCursor = "ERR invalid cursor";
    public const string SameObject = "ERR source and destination objects are the same";

    public static string WrongArgs(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string UnknownCommand(string name, string argsPreview) => $"ERR unknown command '{name}', with args beginning with: {argsPreview}";

    public static string UnknownSubcommand(string sub, string command) =>
        $"ERR unknown subcommand '{sub}'. Try {command.ToUpperInvariant()} HELP.";
}
