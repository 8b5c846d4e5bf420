namespace Astra.Dispatch.Delivery;

/// <summary>An HTTP request rendered from a rule and an event, before authentication and signing.</summary>
internal sealed record RenderedRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body, string ContentType);
