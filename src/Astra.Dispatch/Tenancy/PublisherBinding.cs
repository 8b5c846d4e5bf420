using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tenancy;

/// <summary>
/// Which broker users may publish events for which tenants (<see cref="TenancyOptions.Publishers"/>). The user is the
/// event's AMQP <c>user_id</c>: RabbitMQ refuses a publish whose <c>user_id</c> is not the connection's own user, so it
/// cannot be forged by a publisher without the broker's <c>impersonator</c> tag. Unconfigured, every event passes.
/// </summary>
internal sealed class PublisherBinding
{
    private readonly Dictionary<string, HashSet<string>> _publishers;

    /// <summary>The binding configured in <c>Dispatch:Tenancy:Publishers</c>.</summary>
    public PublisherBinding(IOptions<TenancyOptions> options)
    {
        _publishers = options.Value.Publishers.ToDictionary(p => p.Key, p => new HashSet<string>(p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>Whether any publisher is bound (otherwise events are not checked).</summary>
    public bool IsConfigured => _publishers.Count > 0;

    /// <summary>Null when <paramref name="userId"/> may publish for <paramref name="tenantId"/>; otherwise why not, in one line.</summary>
    public string? Refusal(string tenantId, string? userId)
    {
        if (!IsConfigured)
            return null;
        if (string.IsNullOrEmpty(userId))
            return "the event has no user_id property, and Dispatch:Tenancy:Publishers binds publishers to tenants (publish with user_id set to the connection's user)";
        if (!_publishers.TryGetValue(userId, out var tenants))
            return $"publisher {Quote(userId)} is not bound to any tenant (Dispatch:Tenancy:Publishers)";
        if (!tenants.Contains(TenancyOptions.AnyTenant) && !tenants.Contains(tenantId))
            return $"publisher {Quote(userId)} may not publish for tenant '{tenantId}' (Dispatch:Tenancy:Publishers)";
        return null;
    }

    /// <summary>JSON-quoted: a user name with a control character cannot forge a line of the log it ends up in.</summary>
    private static string Quote(string userId) => JsonSerializer.Serialize(userId.Length > 100 ? userId[..100] + "…" : userId);
}
