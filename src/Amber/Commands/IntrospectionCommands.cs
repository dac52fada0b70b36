namespace Amber.Commands;

/// <summary>COMMAND.</summary>
internal static class IntrospectionCommands
{
    public static void Register(CommandTable t)
    {
    }
}
