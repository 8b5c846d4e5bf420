using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Infrastructure;

/// <summary>Where a command writes: tables for people on <see cref="Console"/>, JSON for scripts on <see cref="Out"/>.</summary>
internal sealed class CliOutput(IAnsiConsole console, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? configOverrides)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public IAnsiConsole Console { get; } = console;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public IReadOnlyDictionary<string, string?>? ConfigOverrides { get; } = configOverrides;

    public void WriteJson<T>(T value)
    {
        Out.WriteLine(JsonSerializer.Serialize(value, Json));
        Out.Flush();
    }

    public void Line(string markup) => Console.MarkupLine(markup);

    public void Text(string text) => Console.WriteLine(text);
}
