using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Console.Hosting;
using Astra.Dispatch.Management;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1/keys</c> (admin): what <c>astra-dispatch keys</c> does. A tenant admin creates, lists and revokes keys of
/// its own tenant only.
/// </summary>
internal static class KeysApi
{
    public static void Map(RouteGroupBuilder keys)
    {
        keys.MapGet("", ListAsync).WithName("ListKeys").WithSummary("API keys (never their secrets).").Produces<KeyList>();
        keys.MapPost("", CreateAsync).WithName("CreateKey").WithSummary("Create a key; the answer holds it in key, this once (only its hash is stored).")
            .AcceptsBody<CreateKeyRequest>("application/json")
            .Produces<CreatedKeyResponse>(StatusCodes.Status201Created).ProducesInvalid().ProducesProblem(StatusCodes.Status404NotFound);
        keys.MapDelete("/{id}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke a key at once: its next request gets 401.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(HttpContext context, KeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new KeyList([.. (await keys.ListAsync(Caller.Of(context).TenantId, cancellationToken)).Select(KeyResponse.From)]));

    private static async Task<IResult> CreateAsync(HttpContext context, KeyService keys, CancellationToken cancellationToken)
    {
        var (text, _, problem) = await ApiResults.ReadBodyAsync(context.Request, ["application/json"], cancellationToken);
        if (problem is not null)
            return problem;
        CreateKeyRequest? request;
        try
        {
            request = System.Text.Json.JsonSerializer.Deserialize<CreateKeyRequest>(text!, System.Text.Json.JsonSerializerOptions.Web);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return ApiResults.Invalid("$", $"is not a key request: {ex.Message.Split(" Path:")[0]}");
        }
        var caller = Caller.Of(context);
        if (request?.Tenant is { } tenant && !caller.Sees(tenant))
            return ApiResults.NotFound("Not found.");
        if (!ApiRoles.TryParse(request?.Role, out var role))
            return ApiResults.Invalid("role", "must be admin, operator or viewer");
        try
        {
            var created = await keys.CreateAsync(role, request!.Tenant ?? caller.TenantId, request.Name, caller.Actor, cancellationToken);
            var info = created.Info;
            return TypedResults.Created($"/api/v1/keys/{info.Id}",
                new CreatedKeyResponse(created.Key, info.Id, info.Name, info.Role.Name(), info.TenantId, info.CreatedAt));
        }
        catch (ManagementValidationException ex)
        {
            return ApiResults.Invalid(ex.Errors);
        }
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, string id, KeyService keys, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(context);
        return await keys.RevokeAsync(id, caller.TenantId, caller.Actor, cancellationToken)
            ? TypedResults.NoContent()
            : ApiResults.NotFound($"No valid key '{id}'.");
    }
}
