using Astra.Dispatch.Benchmarks;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return args is [PipelineHost.Command, .. var pipeline]
    ? await PipelineHost.RunAsync(pipeline, Console.In, Console.Out, stop.Token)
    : await BenchmarkApp.RunAsync(args, Console.Out, Console.Error, stop.Token);
