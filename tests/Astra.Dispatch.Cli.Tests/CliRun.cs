namespace Astra.Dispatch.Cli.Tests;

/// <summary>Runs the CLI in-process against a temp folder (database, rules, secrets) and captures its output.</summary>
internal sealed class CliRun : IDisposable
{
    public CliRun(IDictionary<string, string?>? extra = null)
    {
        Folder = Directory.CreateTempSubdirectory("astra-cli-").FullName;
        Directory.CreateDirectory(SecretsPath);
        Settings = new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = Path.Combine(Folder, "dispatch.db"),
            ["Dispatch:SecretsPath"] = SecretsPath,
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // The rules of these tests point at 127.0.0.1:9 (discard), where nothing answers.
            ["Dispatch:Http:AllowedPorts:0"] = "1-65535",
            // Nothing listens here: commands that need the broker must fail cleanly, never hang.
            ["Dispatch:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            Settings[key] = value;
    }

    public string Folder { get; }

    public string SecretsPath => Path.Combine(Folder, "secrets");

    public Dictionary<string, string?> Settings { get; }

    /// <summary>Writes <paramref name="tenant"/>'s secret <paramref name="name"/>: <c>&lt;SecretsPath&gt;/&lt;tenant&gt;/&lt;name&gt;</c>.</summary>
    public void WriteSecret(string tenant, string name, string value)
    {
        Directory.CreateDirectory(Path.Combine(SecretsPath, tenant));
        File.WriteAllText(Path.Combine(SecretsPath, tenant, name), value);
    }

    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, Settings);
        return new Result(code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }

    public sealed record Result(int ExitCode, string Out, string Err);
}
