using Astra.Dispatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Cli;

/// <summary>
/// The real worker in-process for the CLI tests: temp rules file and database, 1s retries.
/// (Stands in for the shared Support/WorkerHost until that is on main; switch over then.)
/// </summary>
internal sealed class CliTestWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CliTestWorker(WebApplication app, string folder)
    {
        _app = app;
        Folder = folder;
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "dispatch.db");

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<CliTestWorker> StartAsync(Uri amqpUri, string rulesYaml)
    {
        var folder = Directory.CreateTempSubdirectory("astra-cli-worker-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "rules.yaml"), rulesYaml);
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
            ["Dispatch:Delivery:Jitter"] = "0",
            ["Dispatch:RulesRefreshInterval"] = "00:00:00.200",
        });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.AddDispatchWorker();
        var app = builder.Build();
        app.MapDispatchHealth();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new CliTestWorker(app, folder);
    }

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
                // A file still held by a background writer; the OS cleans temp folders.
            }
        }
    }
}

/// <summary>Rule YAML and raw events for the CLI tests.</summary>
internal static class CliTestData
{
    public static string Rule(string id, string tenant, Uri url) => $"""
        - id: {id}
          tenantId: {tenant}
          trigger: {"{"} events: [lead.captured] {"}"}
          request:
            url: "{url}"
            headers: {"{"} X-Source: astra {"}"}
            body: '{"{"} "email": {"{{"} data.email | json {"}}"} {"}"}'
          retry: {"{"} schedule: [1s] {"}"}

        """;

    public static string Event(string tenant, string eventId) => System.Text.Json.JsonSerializer.Serialize(new
    {
        eventId,
        type = "lead.captured",
        tenantId = tenant,
        conversationId = "conv_1",
        data = new { email = "ada@example.com", score = 87 },
    });
}
