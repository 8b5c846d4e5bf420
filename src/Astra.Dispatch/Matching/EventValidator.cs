using System.Text.RegularExpressions;
using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Matching;

/// <summary>The inbound event contract's rules; a violation makes the event poison (not retried).</summary>
public static partial class EventValidator
{
    /// <summary>The largest event body accepted.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    [GeneratedRegex("^[a-z0-9_.-]{1,200}$")]
    private static partial Regex TypePattern();

    /// <summary>Null when valid; otherwise a one-line reason naming the field.</summary>
    public static string? Validate(ConversationEvent? e, long bodyBytes)
    {
        if (bodyBytes > MaxEventBytes)
            return $"event is {bodyBytes} bytes; the limit is {MaxEventBytes}";
        if (e is null)
            return "body is not a JSON object";
        if (string.IsNullOrEmpty(e.EventId) || e.EventId.Length > 200)
            return "eventId is required (1-200 characters)";
        if (string.IsNullOrEmpty(e.Type) || !TypePattern().IsMatch(e.Type))
            return "type is required (1-200 characters of a-z, 0-9, '_', '.', '-')";
        if (string.IsNullOrEmpty(e.TenantId) || e.TenantId.Length > 200)
            return "tenantId is required (1-200 characters)";
        if (e.Data is { ValueKind: not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null) })
            return "data must be a JSON object";
        return null;
    }
}
