using Astra.Dispatch.Secrets;

namespace Astra.Dispatch.Catalog;

/// <summary>Builds rule compilers with the configured limits.</summary>
public sealed class RuleCompilerFactory(RuleLimits limits, SecretStore secrets)
{
    /// <summary>The configured limits.</summary>
    public RuleLimits Limits => limits;

    /// <summary>For imports: also rejects rules that name secrets which are not set.</summary>
    public RuleCompiler ForImport() => new(limits, secrets.Exists);

    /// <summary>For loading stored rules: a secret removed later fails the delivery at send time instead.</summary>
    public RuleCompiler ForRuntime() => new(limits);
}
