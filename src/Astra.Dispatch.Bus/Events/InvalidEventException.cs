namespace Astra.Dispatch.Bus.Events;

/// <summary>A poison event: it goes to <c>astra.dispatch.events_error</c> with this reason and is not retried.</summary>
internal sealed class InvalidEventException(string reason) : Exception($"invalid event: {reason}");
