using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Cli.Infrastructure;

/// <summary>The core services, configured from the same keys as the worker.</summary>
internal static class CliServices
{
    public static ServiceProvider Build(CliSettings settings, CliOutput output)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (settings.Config is { } file)
        {
            if (!File.Exists(file))
                throw CliException.Usage($"The config file {file} does not exist.");
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables();
        if (output.ConfigOverrides is { } overrides)
            builder.AddInMemoryCollection(overrides);
        var configuration = builder.Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddAstraDispatch().AddBusOperations("astra-dispatch-cli");
        services.AddSingleton(output);
        return services.BuildServiceProvider();
    }
}
