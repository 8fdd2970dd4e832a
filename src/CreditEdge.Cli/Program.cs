using CreditEdge.Cli;

return CedgeApp.Run(args, Console.Out, Console.Error);
