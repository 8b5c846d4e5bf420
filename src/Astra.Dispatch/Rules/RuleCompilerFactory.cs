using Astra.Dispatch.Delivery;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Templating;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Rules;

/// <summary>Builds rule compilers with the configured limits.</summary>
public sealed class RuleCompilerFactory(IOptions<HttpDeliveryOptions> http, IOptions<DispatchOptions> dispatch, SecretStore secrets,
    IOptions<TemplateLimits>? templates = null)
{
    public RuleLimits Limits => new()
    {
        AllowPlainHttp = http.Value.AllowPlainHttp,
        MaxHeaders = http.Value.MaxHeaders,
        MaxUrlLength = http.Value.MaxUrlLength,
        MaxRulesPerTenant = dispatch.Value.MaxRulesPerTenant,
        Templates = templates?.Value ?? new TemplateLimits(),
    };

    /// <summary>For imports: also rejects rules that name secrets which are not set.</summary>
    public RuleCompiler ForImport() => new(Limits, secrets.Exists);

    /// <summary>For loading stored rules: a secret removed later fails the delivery at send time instead.</summary>
    public RuleCompiler ForRuntime() => new(Limits);
}
