return Amber.CheckAof.AofCheck.Run(args, Console.In, Console.Out, Amber.Persistence.Storage.OsFileSystem.Instance);
