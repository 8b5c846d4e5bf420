using System.Reflection;
using Astra.Dispatch.Bus;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Tests.Deploy;

/// <summary>The configuration keys the worker binds, from its options classes, to check deploy files against.</summary>
internal static class ConfigKeys
{
    public static IReadOnlySet<string> Known { get; } = Collect();

    /// <summary>True when an environment variable name (<c>Dispatch__Http__AllowedNetworks__0</c>) sets a known key.</summary>
    public static bool IsKnownVariable(string name)
    {
        if (!name.StartsWith("Dispatch__", StringComparison.Ordinal))
            return true;
        var segments = name.Split("__").Where(s => !s.All(char.IsAsciiDigit)).ToList();
        // Dispatch__Http__Tenants__<tenant>__AllowedNetworks: the tenant id is a section name, not a key.
        if (segments is ["Dispatch", "Http", "Tenants", _, ..])
            segments.RemoveAt(3);
        return Known.Contains(string.Join(':', segments));
    }

    private static HashSet<string> Collect()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Dispatch:Health:Urls" };
        Add(keys, DispatchOptions.Section, typeof(DispatchOptions));
        Add(keys, HttpDeliveryOptions.Section, typeof(HttpDeliveryOptions));
        Add(keys, NetworkOptions.Section, typeof(NetworkOptions));
        Add(keys, $"{NetworkOptions.Section}:Tenants", typeof(TenantNetworkOptions));
        Add(keys, RedactionOptions.Section, typeof(RedactionOptions));
        Add(keys, RetryOptions.Section, typeof(RetryOptions));
        Add(keys, ResultsOptions.Section, typeof(ResultsOptions));
        Add(keys, RabbitMqOptions.Section, typeof(RabbitMqOptions));
        Add(keys, RetentionOptions.Section, typeof(RetentionOptions));
        Add(keys, Astra.Dispatch.Console.ConsoleOptions.Section, typeof(Astra.Dispatch.Console.ConsoleOptions));
        return keys;
    }

    private static void Add(HashSet<string> keys, string section, Type options)
    {
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            keys.Add($"{section}:{property.Name}");
    }
}
