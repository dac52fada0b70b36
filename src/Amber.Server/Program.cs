// Before anything touches a socket: .NET reads its socket scheduling settings once, at the first socket operation.
Amber.Hosting.SocketScheduling.Configure();
return await Amber.Hosting.ServerHost.RunAsync(args);
