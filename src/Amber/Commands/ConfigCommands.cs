namespace Amber.Commands;

/// <summary>CONFIG.</summary>
internal static class ConfigCommands
{
    public static void Register(CommandTable t)
    {
    }
}
