using Amber.Protocol;

namespace Amber.Commands;

/// <summary>The HELP reply shape every Redis container command shares: a title line, the lines, then HELP itself.</summary>
internal static class HelpText
{
    public static void Write(RespWriter w, string command, string[] lines)
    {
        w.WriteArrayHeader(lines.Length + 3);
        w.WriteSimpleString(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string line in lines)
        {
            w.WriteSimpleString(line);
        }
        w.WriteSimpleString("HELP");
        w.WriteSimpleString("    Prints this help.");
    }
}
