using System.Text;

namespace Amber.Commands;

/// <summary>
/// Every command by name. Lookup is case-insensitive over the request bytes, without allocating a string.
/// Built explicitly by each command group's Register method (no reflection).
/// </summary>
internal sealed class CommandTable
{
    private CommandSpec?[] _slots = new CommandSpec?[1024];
    private readonly List<CommandSpec> _all = [];

    public IReadOnlyList<CommandSpec> All => _all;

    public void Add(CommandSpec spec)
    {
        if (Find(spec.NameBytes) != null)
        {
            throw new InvalidOperationException($"command {spec.Name} registered twice");
        }
        foreach (CommandSpec sub in spec.Subcommands)
        {
            sub.Parent = spec;
        }
        _all.Add(spec);
        if (_all.Count * 2 > _slots.Length)
        {
            var old = _all.ToArray();
            _slots = new CommandSpec?[_slots.Length * 2];
            foreach (CommandSpec s in old)
            {
                Insert(s);
            }
            return;
        }
        Insert(spec);
    }

    private void Insert(CommandSpec spec)
    {
        int mask = _slots.Length - 1;
        int i = (int)(Hash(spec.NameBytes) & mask);
        while (_slots[i] != null)
        {
            i = (i + 1) & mask;
        }
        _slots[i] = spec;
    }

    public CommandSpec? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
        {
            return null;
        }
        int mask = _slots.Length - 1;
        int i = (int)(Hash(name) & mask);
        while (true)
        {
            CommandSpec? s = _slots[i];
            if (s == null)
            {
                return null;
            }
            if (Ascii.EqualsIgnoreCase(s.NameBytes, name))
            {
                return s;
            }
            i = (i + 1) & mask;
        }
    }

    public CommandSpec? Find(string name) => Find(Encoding.ASCII.GetBytes(name));

    public static CommandSpec? FindSubcommand(CommandSpec parent, ReadOnlySpan<byte> name)
    {
        foreach (CommandSpec sub in parent.Subcommands)
        {
            if (Ascii.EqualsIgnoreCase(sub.NameBytes, name))
            {
                return sub;
            }
        }
        return null;
    }

    private static uint Hash(ReadOnlySpan<byte> name)
    {
        uint h = 2166136261;
        foreach (byte b in name)
        {
            h = (h ^ (uint)(b | 0x20)) * 16777619;
        }
        return h;
    }
}
