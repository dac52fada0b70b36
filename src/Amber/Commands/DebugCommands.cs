namespace Amber.Commands;

/// <summary>DEBUG.</summary>
internal static class DebugCommands
{
    public static void Register(CommandTable t)
    {
    }
}
