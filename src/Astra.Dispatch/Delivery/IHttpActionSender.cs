using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Delivery;

/// <summary>Performs one HTTP attempt of an action; never throws for endpoint behaviour (the outcome says what happened).</summary>
internal interface IHttpActionSender
{
    Task<AttemptOutcome> SendAsync(SendHttpAction action, CompiledRule rule, CancellationToken cancellationToken);
}
