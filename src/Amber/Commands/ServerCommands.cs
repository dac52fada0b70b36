namespace Amber.Commands;

/// <summary>INFO TIME SLOWLOG LATENCY MONITOR SHUTDOWN LASTSAVE.</summary>
internal static class ServerCommands
{
    public static void Register(CommandTable t)
    {
    }
}
