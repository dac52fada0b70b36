return Amber.CheckRdb.RdbCheck.Run(args, Console.Out);
