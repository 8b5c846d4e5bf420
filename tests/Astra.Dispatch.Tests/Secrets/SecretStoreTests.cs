using Astra.Dispatch.Secrets;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Secrets;

/// <summary>
/// Secrets resolve only inside the rule's tenant. On main the store took a bare name and read one namespace for the
/// whole worker (<c>ASTRA_SECRET_&lt;NAME&gt;</c>, then <c>&lt;SecretsPath&gt;/&lt;NAME&gt;</c>): any tenant's rule could
/// name any secret, <c>ACME__CRM_TOKEN</c> and <c>acme..CRM_TOKEN</c>-style names were valid, and a top-level file
/// was every tenant's.
/// </summary>
public sealed class SecretStoreTests : IDisposable
{
    private const string AcmeValue = "acme-crm-token-7f3b9c1d";
    private readonly TempSecrets _secrets = new(("CRM_TOKEN", AcmeValue));
    // Unique per test class instance: environment variables are process-wide and tests run in parallel.
    private readonly string _unique = "CRM_TOKEN_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
    private readonly List<string> _variables = [];

    public void Dispose()
    {
        foreach (var name in _variables)
            Environment.SetEnvironmentVariable(name, null);
        _secrets.Dispose();
    }

    private void SetVariable(string name, string value)
    {
        _variables.Add(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    [Fact]
    public void TryGet_FileInTheTenantsFolder_Resolves()
    {
        Assert.True(_secrets.Store.TryGet("acme", "CRM_TOKEN", out var value));
        Assert.Equal(AcmeValue, value);
    }

    [Fact]
    public void TryGet_TopLevelFileOfTheOldLayout_ResolvesForNoTenant()
    {
        File.WriteAllText(Path.Combine(_secrets.Folder, "GLOBAL_TOKEN"), "global-value-1234");

        Assert.False(_secrets.Store.TryGet("acme", "GLOBAL_TOKEN", out _));
        Assert.False(_secrets.Store.TryGet("evil", "GLOBAL_TOKEN", out _));
    }

    [Fact]
    public void TryGet_TenantVariable_ResolvesForThatTenantOnlyAndWinsOverTheFile()
    {
        SetVariable($"ASTRA_SECRET_ACME_EU__{_unique}", "from-variable-1");
        SetVariable($"ASTRA_SECRET_ACME__{_unique}", "from-variable-2");
        _secrets.Add("acme", _unique, "from-file-3");

        Assert.True(_secrets.Store.TryGet("acme-eu", _unique, out var eu));
        Assert.True(_secrets.Store.TryGet("acme", _unique, out var acme));
        Assert.False(_secrets.Store.TryGet("evil", _unique, out _));
        Assert.Equal("from-variable-1", eu);
        Assert.Equal("from-variable-2", acme);
    }

    [Fact]
    public void TryGet_GlobalVariableOfTheOldLayout_ResolvesForNoTenant()
    {
        SetVariable($"ASTRA_SECRET_{_unique}", "global-variable-value");

        Assert.False(_secrets.Store.TryGet("acme", _unique, out _));
    }

    [Theory]
    [InlineData("acme", "CRM_TOKEN", "ASTRA_SECRET_ACME__CRM_TOKEN")]
    [InlineData("acme-eu-1", "signing.secret", "ASTRA_SECRET_ACME_EU_1__signing.secret")]
    public void EnvironmentVariable_TenantUpperCasedDashesToUnderscores(string tenant, string name, string expected) =>
        Assert.Equal(expected, SecretStore.EnvironmentVariable(tenant, name));

    /// <summary>
    /// Tenant <c>evil</c> names acme's <c>CRM_TOKEN</c> (which acme has as a file and as a variable) under every spelling
    /// a path, a variable name or Unicode offers: none resolves.
    /// </summary>
    [Fact]
    public void TryGet_EvilNamesAcmesSecretUnderEverySpelling_NeverResolves()
    {
        SetVariable($"ASTRA_SECRET_ACME__{_unique}", AcmeValue);
        _secrets.Add("acme", _unique, AcmeValue);
        foreach (var name in HostileSpellings.Of(_unique, Path.Combine(_secrets.Folder, "acme")))
        {
            Assert.False(_secrets.Store.TryGet("evil", name, out var value), $"resolved {SecretNames.Quote(name)}");
            Assert.Equal("", value);
            var ex = Assert.Throws<SecretNotFoundException>(() => _secrets.Store.Get("evil", name));
            Assert.DoesNotContain(AcmeValue, ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>The tenant is part of the path and the variable: a tenant id that is not the contract's resolves nothing.</summary>
    [Theory]
    [InlineData("ACME")]
    [InlineData("../acme")]
    [InlineData("acme/")]
    [InlineData("acme/.")]
    [InlineData("./acme")]
    [InlineData("acme\n")]
    [InlineData("")]
    [InlineData("\u0430cme")]
    public void TryGet_TenantSpelledOtherwise_NeverResolves(string tenant) => Assert.False(_secrets.Store.TryGet(tenant, "CRM_TOKEN", out _));

    [Fact]
    public void Describe_NotSet_NamesTheTenantScopedVariableAndFile() =>
        Assert.Equal("secret 'CRM_TOKEN' is not set for tenant 'evil' (ASTRA_SECRET_EVIL__CRM_TOKEN, or the file evil/CRM_TOKEN in Dispatch:SecretsPath)",
            SecretStore.Describe("evil", "CRM_TOKEN"));

    [Fact]
    public void Describe_InvalidName_QuotedWithControlAndNonAsciiCharactersEscaped()
    {
        var message = SecretStore.Describe("evil", "CRM\0T\u041EKEN\n");
        Assert.StartsWith("\"CRM\\u0000T\\u041EKEN\\n\" is not a valid secret name", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', message);
        Assert.DoesNotContain('\n', message);
    }

    [Theory]
    [InlineData("CRM_TOKEN")]
    [InlineData("crm-token")]
    [InlineData("signing.secret")]
    [InlineData("a")]
    [InlineData("CRM_TOKEN_")]
    public void IsValid_OrdinaryNames_True(string name) => Assert.True(SecretNames.IsValid(name));

    /// <summary><c>a-</c> + <c>B</c> and <c>a</c> + <c>_B</c> would both be <c>ASTRA_SECRET_A___B</c>: a name may not start with '_'.</summary>
    [Fact]
    public void IsValid_LeadingUnderscore_FalseSoNoTwoTenantsShareAVariable()
    {
        Assert.Equal("ASTRA_SECRET_A___B", SecretStore.EnvironmentVariable("a-", "B"));
        Assert.False(SecretNames.IsValid("_B"));
    }
}

/// <summary>Ways a hostile rule may spell another tenant's secret <c>name</c> (kept in <c>acmeFolder</c>).</summary>
internal static class HostileSpellings
{
    public static IEnumerable<string> Of(string name, string acmeFolder) =>
    [
        name, $"../acme/{name}", $"acme/{name}", $"..\\acme\\{name}", $"acme\\{name}", $"ACME__{name}", $"acme__{name}", $"_ACME__{name}",
        $"ASTRA_SECRET_ACME__{name}", $"$ASTRA_SECRET_ACME__{name}", $"${{ASTRA_SECRET_ACME__{name}}}", $"%ASTRA_SECRET_ACME__{name}%",
        Path.Combine(acmeFolder, name), "/" + name, $"~/acme/{name}", $"./{name}", $"{name}/", $"{name}/.", $"acme..{name}", $"..{name}",
        ".", "..", "", " ", $" {name}", $"{name} ", $"{name}\n", $"{name}\0", $"\0", $"acme/{name}\0", $"acme%2F{name}", $"acme:{name}",
        $"acme.{name}".Replace('.', '\u2024'), $"acme\u2215{name}", $"acme\uFF0F{name}", $"..\uFF0Facme\uFF0F{name}",
        name.Replace('O', '\u041E'), name.Replace('C', '\uFF23'), name.ToUpperInvariant().Replace('_', '\uFF3F'), name + "\u200B",
        new string('A', 129),
    ];
}
