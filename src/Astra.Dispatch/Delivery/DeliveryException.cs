namespace Astra.Dispatch.Delivery;

/// <summary>A failure that no retry can fix (refused by the SSRF guard, a missing secret, a bad request).</summary>
internal sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
