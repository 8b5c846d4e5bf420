namespace Astra.Dispatch.Contracts;

/// <summary>Published with routing key <c>action.failed</c> on <c>astra.action-results</c>.</summary>
public sealed record ActionFailed : ActionResult;
