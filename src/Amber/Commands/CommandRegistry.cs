namespace Amber.Commands;

/// <summary>Builds the command table from every command group. Add a group here when you add its file.</summary>
internal static class CommandRegistry
{
    public static CommandTable Build()
    {
        var table = new CommandTable();
        ConnectionCommands.Register(table);
        ClientCommands.Register(table);
        StringCommands.Register(table);
        ListCommands.Register(table);
        HashCommands.Register(table);
        SetCommands.Register(table);
        KeyCommands.Register(table);
        DumpCommand.Register(table);
        SortedSetCommands.Register(table);
        SortCommand.Register(table);
        DatabaseCommands.Register(table);
        ServerCommands.Register(table);
        ConfigCommands.Register(table);
        IntrospectionCommands.Register(table);
        DebugCommands.Register(table);
        ShutdownCommand.Register(table);
        PubSubCommands.Register(table);
        TransactionCommands.Register(table);
        MemoryCommand.Register(table);
        PersistenceCommands.Register(table);
        return table;
    }
}
