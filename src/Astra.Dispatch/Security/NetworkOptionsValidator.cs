using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Security;

/// <summary>Stops the start on an invalid network list, naming its key (a tenant's included).</summary>
internal sealed class NetworkOptionsValidator : IValidateOptions<NetworkOptions>
{
    public ValidateOptionsResult Validate(string? name, NetworkOptions options) =>
        NetworkPolicies.Validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
