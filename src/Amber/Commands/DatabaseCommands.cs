namespace Amber.Commands;

/// <summary>SWAPDB MOVE FLUSHDB FLUSHALL DBSIZE.</summary>
internal static class DatabaseCommands
{
    public static void Register(CommandTable t)
    {
    }
}
