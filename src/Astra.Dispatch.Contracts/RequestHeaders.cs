namespace Astra.Dispatch.Contracts;

/// <summary>Headers every outbound HTTP request carries (the outbound request contract).</summary>
public static class RequestHeaders
{
    /// <summary>The delivery id (Standard Webhooks).</summary>
    public const string WebhookId = "webhook-id";

    /// <summary>Unix seconds when the request was signed (Standard Webhooks).</summary>
    public const string WebhookTimestamp = "webhook-timestamp";

    /// <summary><c>v1,&lt;base64 HMAC&gt;</c> per signing secret (Standard Webhooks).</summary>
    public const string WebhookSignature = "webhook-signature";

    /// <summary>The delivery id again, for receivers that de-duplicate by this header.</summary>
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>W3C trace context: the same name as on the bus (<see cref="BusHeaders.TraceParent"/>).</summary>
    public const string TraceParent = BusHeaders.TraceParent;

    /// <summary><c>Astra-Dispatch/&lt;version&gt;</c>.</summary>
    public static readonly string UserAgent = "Astra-Dispatch/" + (typeof(RequestHeaders).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
