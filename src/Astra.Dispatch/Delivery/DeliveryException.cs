namespace Astra.Dispatch.Delivery;

/// <summary>A failure that no retry can fix (refused by the SSRF guard, a missing secret, a bad request).</summary>
internal sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A failure that a later attempt may not meet (a token endpoint answering 503); its message is the error.</summary>
internal sealed class TransientDeliveryException(string message) : Exception(message);
