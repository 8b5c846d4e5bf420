using System.Text.RegularExpressions;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Tenancy;

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
        if (UnsafeCharacter(e.EventId) is { } at)
            return $"eventId holds a control or line-breaking character at position {at}";
        if (string.IsNullOrEmpty(e.Type) || !TypePattern().IsMatch(e.Type))
            return "type is required (1-200 characters of a-z, 0-9, '_', '.', '-')";
        if (string.IsNullOrEmpty(e.TenantId))
            return "tenantId is required";
        // The tenant id names the rules, secrets and credentials the event may reach: only the contract's form, so no
        // spelling of it (case, dots, slashes, look-alikes, a trailing newline) can reach another tenant's or escape a folder.
        if (!TenantIds.IsValid(e.TenantId))
            return $"tenantId is not a tenant id ({TenantIds.Description})";
        if (e.AgentId is { } agent && UnsafeCharacter(agent) is { } inAgent)
            return $"agentId holds a control or line-breaking character at position {inAgent}";
        if (e.ConversationId is { } conversation && UnsafeCharacter(conversation) is { } inConversation)
            return $"conversationId holds a control or line-breaking character at position {inConversation}";
        if (e.Data is { ValueKind: not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null) })
            return "data must be a JSON object";
        return null;
    }

    /// <summary>
    /// Identifiers are written to logs, traces and the delivery log: a control character (CR, LF, ESC …), a Unicode
    /// line or paragraph separator or a bidirectional override there could forge log lines or disguise the text.
    /// Returns the position of the first one, if any.
    /// </summary>
    private static int? UnsafeCharacter(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C')
                return i;
        }
        return null;
    }
}
