using System.Text.Json;

namespace Astra.Dispatch.Testing;

/// <summary>One HTTP request as the <see cref="HttpReceiver"/> saw it.</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, string body, DateTimeOffset receivedAt, int attempt)
    {
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
        ReceivedAt = receivedAt;
        Attempt = attempt;
    }

    public string Method { get; }

    /// <summary>The path without the query, e.g. <c>/hooks/crm</c>.</summary>
    public string Path { get; }

    /// <summary>The query including its <c>?</c>, or empty.</summary>
    public string Query { get; }

    public string PathAndQuery => Path + Query;

    /// <summary>Case-insensitive; repeated headers are joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string Body { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>1 for the first request to this path, 2 for the second, ... (since the last Clear).</summary>
    public int Attempt { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"{ReceivedAt:HH:mm:ss.fff} {Method} {PathAndQuery} (attempt {Attempt}, {Body.Length} chars)";
}
