using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Console.Hosting;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Management;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1/dead-letters</c> (operator and admin): the CLI's <c>dlq list</c> and <c>dlq redrive</c> through the same
/// <see cref="DeadLetterService"/>. A tenant key sees and moves its tenant's dead letters only; a key without a tenant
/// sees every tenant's, and an admin key without a tenant also those whose tenant cannot be told.
/// </summary>
internal static class DeadLettersApi
{
    public static void Map(RouteGroupBuilder letters)
    {
        letters.MapGet("", ListAsync).WithName("ListDeadLetters")
            .WithSummary("Dead letters of astra.dispatch.send_error (queue=send, the default) or astra.dispatch.events_error (queue=events), left in place.")
            .Produces<DeadLetterList>().ProducesInvalid().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        letters.MapPost("/redrive", RedriveAsync).WithName("RedriveDeadLetters")
            .WithSummary("Move dead letters back for a fresh attempt with a full retry schedule: by ids, or all (narrowed by rule and since).")
            .AcceptsBody<RedriveRequest>("application/json")
            .Produces<RedriveResponse>().ProducesInvalid().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static DeadLetterScope ScopeOf(Caller caller) => new(caller.TenantId, caller.TenantId is null && caller.Role == ApiRole.Admin);

    private static async Task<IResult> ListAsync(HttpContext context, string? queue, int? limit, DeadLetterService dlq, Redactor redactor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > DeadLetterService.MaxScan)
            return ApiResults.Invalid("limit", $"must be between 1 and {DeadLetterService.MaxScan}");
        try
        {
            var letters = await dlq.ListAsync(queue ?? "send", ScopeOf(Caller.Of(context)), limit ?? 100, cancellationToken);
            return TypedResults.Ok(new DeadLetterList(queue ?? "send", [.. letters.Select(l => new DeadLetterResponse(l.Id, l.MessageId, l.DeliveryId, l.EventId,
                l.RuleId, l.TenantId, redactor.Text(l.Reason, null), l.FailedAt,
                redactor.Headers(l.Headers.Where(h => h.Key != BusHeaders.FaultStackTrace)), redactor.Text(l.Body, null)))]));
        }
        catch (ManagementValidationException ex)
        {
            return ApiResults.Invalid(ex.Errors);
        }
        catch (BrokerUnavailableException ex)
        {
            return ApiResults.Unavailable(ex.Message);
        }
    }

    private static async Task<IResult> RedriveAsync(HttpContext context, DeadLetterService dlq, TimeProvider time, CancellationToken cancellationToken)
    {
        var (text, _, problem) = await ApiResults.ReadBodyAsync(context.Request, ["application/json"], cancellationToken);
        if (problem is not null)
            return problem;
        RedriveRequest? request;
        try
        {
            request = System.Text.Json.JsonSerializer.Deserialize<RedriveRequest>(text!, System.Text.Json.JsonSerializerOptions.Web);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return ApiResults.Invalid("$", $"is not a redrive request: {ex.Message.Split(" Path:")[0]}");
        }
        if (request is null)
            return ApiResults.Invalid("$", "is not a redrive request");
        if (!ApiResults.TryParseSince(request.Since, time, out var since))
            return ApiResults.Invalid("since", "must be a duration back from now (30m, 2h, 1d) or an ISO 8601 time");
        var caller = Caller.Of(context);
        try
        {
            var result = await dlq.RedriveAsync(request.Queue ?? "send", new RedriveSelection(request.Ids ?? [], request.Rule, since, request.All),
                ScopeOf(caller), caller.Actor, null, cancellationToken);
            return TypedResults.Ok(new RedriveResponse([.. result.Moved.Select(l => l.Id)], caller.TenantId is null ? result.Kept : null, result.Target, result.NotFound));
        }
        catch (ManagementValidationException ex)
        {
            return ApiResults.Invalid(ex.Errors);
        }
        catch (BrokerUnavailableException ex)
        {
            return ApiResults.Unavailable(ex.Message);
        }
    }
}
