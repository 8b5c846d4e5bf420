namespace Astra.Dispatch.Dispatching;

/// <summary>The <c>Dispatch:Results</c> section: which outcomes are published to <c>astra.action-results</c>.</summary>
internal sealed class ResultsOptions
{
    public const string Section = "Dispatch:Results";

    /// <summary>
    /// Publish <c>action.succeeded</c> for every delivered action (the contract's default). Off, only failures,
    /// paused rules and the successes of rules with <c>captureResponse</c> are published: for deployments where
    /// nothing consumes successes, the broker then handles one message less per delivery. The delivery log records
    /// successes either way.
    /// </summary>
    public bool PublishSucceeded { get; set; } = true;
}
