using System.ComponentModel;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Infrastructure;

/// <summary>Options every command takes.</summary>
internal class CliSettings : CommandSettings
{
    [CommandOption("--config <FILE>")]
    [Description("A JSON settings file (same keys as the worker's appsettings.json); Dispatch__* environment variables still override it.")]
    public string? Config { get; init; }

    [CommandOption("--json")]
    [Description("Write JSON to stdout instead of tables.")]
    public bool Json { get; init; }

    [CommandOption("--verbose")]
    [Description("Show stack traces of errors.")]
    public bool Verbose { get; init; }
}
