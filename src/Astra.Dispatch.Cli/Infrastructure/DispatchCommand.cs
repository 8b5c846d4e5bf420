using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Infrastructure;

/// <summary>A command that runs with the core services built from its <c>--config</c>.</summary>
internal abstract class DispatchCommand<TSettings>(CliOutput output) : AsyncCommand<TSettings>
    where TSettings : CliSettings
{
    protected CliOutput Output { get; } = output;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        await using var services = CliServices.Build(settings, Output);
        return await RunAsync(settings, services, cancellationToken);
    }

    protected abstract Task<int> RunAsync(TSettings settings, IServiceProvider services, CancellationToken cancellationToken);

    protected static T Get<T>(IServiceProvider services)
        where T : notnull => services.GetRequiredService<T>();
}
