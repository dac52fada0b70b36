return await Amber.Hosting.ServerHost.RunAsync(args);
