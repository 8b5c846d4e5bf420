using Astra.Dispatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Support;

/// <summary>
/// The real worker (its host, MassTransit, SQLite, templating) run in-process against a real broker, with a
/// temp folder for its rules file and database and short retry schedules.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WorkerHost(WebApplication app, string folder)
    {
        _app = app;
        Folder = folder;
    }

    public string Folder { get; }

    public string RulesPath => Path.Combine(Folder, "rules.yaml");

    public string DatabasePath => Path.Combine(Folder, "dispatch.db");

    public IServiceProvider Services => _app.Services;

    public static async Task<WorkerHost> StartAsync(Uri amqpUri, string rulesYaml, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("astra-worker-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "rules.yaml"), rulesYaml, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatch:RabbitMq:Uri"] = amqpUri.ToString(),
            ["Dispatch:Database"] = Path.Combine(folder, "dispatch.db"),
            ["Dispatch:RulesPath"] = Path.Combine(folder, "rules.yaml"),
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Dispatch:Health:Urls"] = "http://127.0.0.1:0",
            ["Dispatch:Delivery:Schedule:0"] = "1s",
            ["Dispatch:Delivery:Schedule:1"] = "2s",
            ["Dispatch:Delivery:Schedule:2"] = "4s",
            ["Dispatch:Delivery:Jitter"] = "0",
            ["Dispatch:RulesRefreshInterval"] = "00:00:00.200",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.AddDispatchWorker();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDispatchHealth();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new WorkerHost(app, folder);
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a background writer; the temp folder is cleaned by the OS.
            }
        }
    }
}
