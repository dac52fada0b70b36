// First, once: run with the JIT's call-counting delay at 0 (re-executes this process; see JitTiering).
Amber.Hosting.JitTiering.RestartWithoutCallCountingDelay();
// Before anything touches a socket: .NET reads its socket scheduling settings once, at the first socket operation.
Amber.Hosting.SocketScheduling.Configure();
return await Amber.Hosting.ServerHost.RunAsync(args);
