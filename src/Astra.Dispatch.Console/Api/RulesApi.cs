using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Console.Hosting;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1/tenants/{tenant}/rules</c>. A rule is named by the path: a PUT body may leave out <c>id</c> and
/// <c>tenantId</c>, and when it has them they must be the path's (else 422). Every change is conditional on
/// <c>If-Match</c> when sent (412 when stale) and answers the new <c>ETag</c>.
/// </summary>
internal static partial class RulesApi
{
    private static readonly string[] RuleMediaTypes = ["application/json", "application/yaml", "application/x-yaml", "text/yaml"];
    private static readonly string[] EventMediaTypes = ["application/json"];

    public static void Map(RouteGroupBuilder rules)
    {
        rules.MapGet("", ListAsync).WithName("ListRules").WithSummary("The tenant's rules, by id.")
            .Produces<RuleList>();
        rules.MapGet("/{id}", GetAsync).WithName("GetRule").WithSummary("One rule; its ETag is also in the ETag header.")
            .Produces<RuleResponse>();
        rules.MapPut("/{id}", PutAsync).WithName("PutRule")
            .WithSummary("Create or replace a rule from one rule document (JSON, or YAML with Content-Type: application/yaml).")
            .WithDescription("The rule is validated as `astra-dispatch rules import` validates it; 422 lists every error. `If-Match: \"etag\"` makes the "
                + "change conditional (412 when stale); `If-None-Match: *` creates only. 201 when created, 200 when replaced or unchanged.")
            .AcceptsBody<RuleDefinition>("application/json", "application/yaml")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Operator)
            .Produces<RuleResponse>().Produces<RuleResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesInvalid();
        rules.MapDelete("/{id}", DeleteAsync).WithName("DeleteRule").WithSummary("Delete a rule (its revisions stay).")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Operator)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        rules.MapPost("/{id}/enable", (HttpContext c, string tenant, string id, RuleService s, CancellationToken ct) => SetEnabledAsync(c, tenant, id, true, s, ct))
            .WithName("EnableRule").WithSummary("Enable a rule (also resumes one the worker paused).")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Operator)
            .Produces<RuleResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        rules.MapPost("/{id}/disable", (HttpContext c, string tenant, string id, RuleService s, CancellationToken ct) => SetEnabledAsync(c, tenant, id, false, s, ct))
            .WithName("DisableRule").WithSummary("Disable a rule.")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Operator)
            .Produces<RuleResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        rules.MapPost("/{id}/test", TestAsync).WithName("TestRule")
            .WithSummary("Dry-run a rule against a sample event: whether it matches, each check, the request it would send (credentials masked). Sends nothing.")
            .WithDescription("The body is a conversation event; `tenantId` defaults to the path's tenant and `eventId` to a test id.")
            .AcceptsBody<Astra.Dispatch.Contracts.ConversationEvent>("application/json")
            .Produces<DryRunResponse>().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesInvalid();
        rules.MapGet("/{id}/revisions", RevisionsAsync).WithName("ListRuleRevisions")
            .WithSummary("Every change of the rule made through the API or the CLI, newest first (kept after a delete).")
            .Produces<RevisionList>();
    }

    private static async Task<IResult> ListAsync(string tenant, RuleService rules, CancellationToken cancellationToken) =>
        TypedResults.Ok(new RuleList([.. (await rules.ListAsync(tenant, cancellationToken)).Select(RuleResponse.From)]));

    private static async Task<IResult> GetAsync(HttpContext context, string tenant, string id, RuleService rules, CancellationToken cancellationToken)
    {
        if (await rules.GetAsync(tenant, id, cancellationToken) is not { } rule)
            return NoRule(tenant, id);
        context.Response.Headers.ETag = ApiResults.ETagOf(rule.Stamp);
        return TypedResults.Ok(RuleResponse.From(rule));
    }

    private static async Task<IResult> PutAsync(HttpContext context, string tenant, string id, RuleService rules, ILogger<RuleService> logger,
        CancellationToken cancellationToken)
    {
        var (text, mediaType, problem) = await ApiResults.ReadBodyAsync(context.Request, RuleMediaTypes, cancellationToken);
        if (problem is not null)
            return problem;
        var caller = Caller.Of(context);
        RuleChangeResult result;
        try
        {
            result = await rules.PutAsync(tenant, id, text!, yaml: mediaType != "application/json", ApiResults.PreconditionOf(context.Request), caller.Actor,
                cancellationToken);
        }
        catch (ManagementValidationException ex)
        {
            return ApiResults.Invalid(ex.Errors);
        }
        if (result.Outcome == RuleChangeOutcome.PreconditionFailed)
            return Stale(context, result, tenant, id);
        LogChange(logger, tenant, id, result.Outcome == RuleChangeOutcome.Unchanged ? "unchanged" : result.Before is null ? "created" : "updated", caller.Actor.Name);
        var rule = (await rules.GetAsync(tenant, id, cancellationToken))!;
        context.Response.Headers.ETag = ApiResults.ETagOf(rule.Stamp);
        return result.Outcome == RuleChangeOutcome.Applied && result.Before is null
            ? TypedResults.Created($"/api/v1/tenants/{tenant}/rules/{id}", RuleResponse.From(rule))
            : TypedResults.Ok(RuleResponse.From(rule));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string tenant, string id, RuleService rules, ILogger<RuleService> logger,
        CancellationToken cancellationToken)
    {
        var caller = Caller.Of(context);
        var result = await rules.DeleteAsync(tenant, id, ApiResults.PreconditionOf(context.Request), caller.Actor, cancellationToken);
        switch (result.Outcome)
        {
            case RuleChangeOutcome.NotFound:
                return NoRule(tenant, id);
            case RuleChangeOutcome.PreconditionFailed:
                return Stale(context, result, tenant, id);
            default:
                LogChange(logger, tenant, id, "deleted", caller.Actor.Name);
                return TypedResults.NoContent();
        }
    }

    private static async Task<IResult> SetEnabledAsync(HttpContext context, string tenant, string id, bool enabled, RuleService rules, CancellationToken cancellationToken)
    {
        var result = await rules.SetEnabledAsync(tenant, id, enabled, ApiResults.PreconditionOf(context.Request), Caller.Of(context).Actor, cancellationToken);
        if (result.Outcome == RuleChangeOutcome.NotFound)
            return NoRule(tenant, id);
        if (result.Outcome == RuleChangeOutcome.PreconditionFailed)
            return Stale(context, result, tenant, id);
        var rule = (await rules.GetAsync(tenant, id, cancellationToken))!;
        context.Response.Headers.ETag = ApiResults.ETagOf(rule.Stamp);
        return TypedResults.Ok(RuleResponse.From(rule));
    }

    private static async Task<IResult> TestAsync(HttpContext context, string tenant, string id, RuleService rules, CancellationToken cancellationToken)
    {
        var (text, _, problem) = await ApiResults.ReadBodyAsync(context.Request, EventMediaTypes, cancellationToken);
        if (problem is not null)
            return problem;
        try
        {
            var sample = RuleService.ParseSampleEvent(text!, tenant);
            if (await rules.TestAsync(tenant, id, sample, cancellationToken) is not { } result)
                return NoRule(tenant, id);
            return TypedResults.Ok(new DryRunResponse(id, result.Matches && result.RenderError is null, result.Checks, result.RenderError, result.Request));
        }
        catch (ManagementValidationException ex)
        {
            return ApiResults.Invalid(ex.Errors);
        }
    }

    private static async Task<IResult> RevisionsAsync(string tenant, string id, int? limit, RuleService rules, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
            return ApiResults.Invalid("limit", "must be between 1 and 1000");
        var revisions = await rules.RevisionsAsync(tenant, id, limit ?? 100, cancellationToken);
        if (revisions.Count == 0 && await rules.GetAsync(tenant, id, cancellationToken) is null)
            return NoRule(tenant, id);
        return TypedResults.Ok(new RevisionList([.. revisions.Select(RevisionResponse.From)]));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NoRule(string tenant, string id) => ApiResults.NotFound($"Tenant '{tenant}' has no rule '{id}'.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Stale(HttpContext context, RuleChangeResult result, string tenant, string id)
    {
        if (result.Before is { } current)
            context.Response.Headers.ETag = ApiResults.ETagOf(RuleStamp.Of(current));
        return ApiResults.PreconditionFailed(result.Before is null
            ? $"Tenant '{tenant}' has no rule '{id}' (If-Match needs one)."
            : $"Rule '{id}' has changed since the ETag you sent (If-Match / If-None-Match); its current ETag is in the ETag header: GET it, reapply your change, retry.");
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Rule {TenantId}/{RuleId} {Change} by {Actor}")]
    private static partial void LogChange(ILogger logger, string tenantId, string ruleId, string change, string actor);
}
