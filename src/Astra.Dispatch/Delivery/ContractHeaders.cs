namespace Astra.Dispatch.Delivery;

/// <summary>Request headers every action carries (contract).</summary>
public static class ContractHeaders
{
    public const string WebhookId = "webhook-id";
    public const string WebhookTimestamp = "webhook-timestamp";
    public const string WebhookSignature = "webhook-signature";
    public const string IdempotencyKey = "Idempotency-Key";
    public const string TraceParent = "traceparent";

    public static readonly string UserAgent = "Astra-Dispatch/" + (typeof(ContractHeaders).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
