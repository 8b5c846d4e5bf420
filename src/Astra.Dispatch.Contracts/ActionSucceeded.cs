namespace Astra.Dispatch.Contracts;

/// <summary>Published with routing key <c>action.succeeded</c> on <c>astra.action-results</c>.</summary>
public sealed record ActionSucceeded : ActionResult;
