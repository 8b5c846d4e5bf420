using Astra.Dispatch.Bus.Results;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Bus.Sending;

/// <summary>Pauses a rule (disabled, with the reason) and announces it with <c>rule.paused</c>.</summary>
public sealed partial class RulePauser(RuleStore store, RuleCatalog catalog, TimeProvider time, ILogger<RulePauser> logger)
{
    public async Task PauseAsync(IPublishEndpoint publisher, CompiledRule rule, string reason, CancellationToken cancellationToken)
    {
        if (!await store.SetEnabledAsync(rule.Id, false, reason, cancellationToken))
            return;
        LogPaused(rule.Id, reason);
        await catalog.RefreshAsync(cancellationToken);
        await publisher.PublishResultAsync(new RulePaused { RuleId = rule.Id, TenantId = rule.TenantId, Reason = reason, PausedAt = time.GetUtcNow() }, cancellationToken);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Rule {RuleId} paused: {Reason}")]
    private partial void LogPaused(string ruleId, string reason);
}
