using System.Text.Json;
using System.Text.Json.Nodes;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Matching;

namespace Astra.Dispatch.Cli.Events;

/// <summary>Reads a sample event from a file or stdin (<c>-</c>).</summary>
internal static class EventInput
{
    /// <summary>What a lone <c>-</c> argument becomes: Spectre.Console.Cli would read it as a nameless option.</summary>
    public const string StandardInput = "@stdin";

    public static async Task<JsonObject> ReadObjectAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        if (path is "-" or StandardInput)
            text = await Console.In.ReadToEndAsync(cancellationToken);
        else if (File.Exists(path))
            text = await File.ReadAllTextAsync(path, cancellationToken);
        else
            throw CliException.Usage($"The event file {path} does not exist.");
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw CliException.Usage($"The event in {path} is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"The event in {path} is not valid JSON ({ex.Message}).");
        }
    }

    public static ConversationEvent Parse(JsonObject json, string source)
    {
        var text = json.ToJsonString();
        ConversationEvent? e;
        try
        {
            e = json.Deserialize<ConversationEvent>(JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"The event in {source} does not fit the event contract ({ex.Message}).");
        }
        if (EventValidator.Validate(e, System.Text.Encoding.UTF8.GetByteCount(text)) is { } reason)
            throw CliException.Usage($"The event in {source} is invalid: {reason}.");
        return e!;
    }
}
