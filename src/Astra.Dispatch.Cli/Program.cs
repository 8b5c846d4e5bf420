return await Astra.Dispatch.Cli.CliApp.RunAsync(args, Console.Out, Console.Error);
