namespace Astra.Dispatch.Contracts;

/// <summary>A delivery's status: in the delivery log and in the <c>status</c> field of result events.</summary>
public static class DeliveryStatus
{
    /// <summary>Created, not attempted yet.</summary>
    public const string Pending = "pending";

    /// <summary>Failed transiently; waiting in a delay tier for its next attempt.</summary>
    public const string Retrying = "retrying";

    /// <summary>Delivered (2xx).</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Failed for good.</summary>
    public const string Failed = "failed";
}
