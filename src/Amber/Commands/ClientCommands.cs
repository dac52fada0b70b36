namespace Amber.Commands;

/// <summary>CLIENT HELLO AUTH RESET.</summary>
internal static class ClientCommands
{
    public static void Register(CommandTable t)
    {
    }
}
