using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Security;
using Astra.Dispatch.Tests.Secrets;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Tenancy;

/// <summary>
/// Tenant <c>evil</c> writes rules naming tenant acme's secrets, at import and at send time, through every place a rule
/// names a secret. On main secrets were one namespace: evil's rule naming <c>CRM_TOKEN</c> imported, and its requests
/// carried acme's token, signature key and client certificate to evil's own URL.
/// </summary>
public sealed class CrossTenantSecretTests : IDisposable
{
    private const string Token = "acme-crm-token-5b0c2e7a";
    private const string SigningKey = "whsec_YWNtZS1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI=";
    private readonly TempSecrets _secrets = new(("CRM_TOKEN", Token), ("CRM_SIGNING", SigningKey), ("CRM_CERT", SelfSignedPem()));
    private readonly SenderHarness _sender;

    public CrossTenantSecretTests() => _sender = new SenderHarness(_secrets);

    public void Dispose()
    {
        _sender.Dispose();
        _secrets.Dispose();
    }

    /// <summary>Every field of a rule that names a secret, naming <paramref name="name"/>.</summary>
    public static IEnumerable<(string Field, RuleDefinition Rule)> EveryField(string tenant, string name) =>
    [
        ("auth.secret", SenderHarness.Rule(tenant, auth: new AuthDefinition { Type = "bearer", Secret = name })),
        ("auth.secret", SenderHarness.Rule(tenant, auth: new AuthDefinition { Type = "basic", Username = "u", Secret = name })),
        ("auth.secret", SenderHarness.Rule(tenant, auth: new AuthDefinition { Type = "header", Name = "X-Api-Key", Secret = name })),
        ("auth.secret", SenderHarness.Rule(tenant, auth: new AuthDefinition { Type = "query", Name = "key", Secret = name })),
        ("auth.secret", SenderHarness.Rule(tenant, auth: new AuthDefinition
        {
            Type = "oauth2", TokenUrl = "https://login.example.com/token", ClientId = "shared-client", Scope = "leads", Secret = name,
        })),
        ("signing.secret", SenderHarness.Rule(tenant, signing: new SigningDefinition { Secret = name })),
        ("signing.secrets[1]", SenderHarness.Rule(tenant, signing: new SigningDefinition { Secrets = ["EVIL_OWN_SIGNING", name] })),
        ("clientCertificate", SenderHarness.Rule(tenant, clientCertificate: name)),
    ];

    [Fact]
    public async Task SendAsync_AcmesOwnRule_UsesAcmesSecret()
    {
        var outcome = await _sender.SendAsync(SenderHarness.Rule("acme", auth: new AuthDefinition { Type = "bearer", Secret = "CRM_TOKEN" }));

        Assert.True(outcome.Kind == OutcomeKind.Succeeded, outcome.Error);
        Assert.Equal($"Bearer {Token}", Assert.Single(_sender.Endpoint.Hooks).Headers["Authorization"]);
    }

    [Fact]
    public async Task SendAsync_EvilNamesAcmesSecretInEveryField_PermanentFailureNamingItNeverSent()
    {
        _secrets.Add("evil", "EVIL_OWN_SIGNING", "whsec_ZXZpbC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZA==");
        foreach (var (acmeName, value) in new[] { ("CRM_TOKEN", Token), ("CRM_SIGNING", SigningKey), ("CRM_CERT", "BEGIN") })
        {
            foreach (var (field, rule) in EveryField("evil", acmeName))
            {
                var outcome = await _sender.SendAsync(rule);

                Assert.True(outcome.Kind == OutcomeKind.Permanent, $"{field}: {outcome.Kind} {outcome.Error}");
                Assert.Equal(SecretStore.Describe("evil", acmeName), outcome.Error);
                Assert.DoesNotContain(value, outcome.Error, StringComparison.Ordinal);
            }
        }
        Assert.Empty(_sender.Endpoint.Requests);
    }

    [Fact]
    public async Task SendAsync_EvilSpellsAcmesSecretEveryWay_NeverResolvedNeverSent()
    {
        foreach (var name in HostileSpellings.Of("CRM_TOKEN", Path.Combine(_secrets.Folder, "acme")))
        {
            foreach (var (field, rule) in EveryField("evil", name))
            {
                var outcome = await _sender.SendAsync(rule);

                Assert.True(outcome.Kind == OutcomeKind.Permanent, $"{field} {SecretNames.Quote(name)}: {outcome.Kind} {outcome.Error}");
                Assert.DoesNotContain(Token, outcome.Error, StringComparison.Ordinal);
            }
        }
        Assert.DoesNotContain(_sender.Endpoint.Requests, r => r.All.Contains(Token, StringComparison.Ordinal));
        Assert.Empty(_sender.Endpoint.Requests);
    }

    [Fact]
    public void Compile_ForImport_EvilNamingAcmesSecretIsNotSetForEvil_AndSaysWhereEvilsWouldBe()
    {
        foreach (var (field, rule) in EveryField("evil", "CRM_TOKEN"))
        {
            var errors = ImportErrors(rule);

            var error = Assert.Single(errors, e => e.Path == field);
            Assert.Equal("names secret 'CRM_TOKEN', which is not set for tenant 'evil' (ASTRA_SECRET_EVIL__CRM_TOKEN, or the file evil/CRM_TOKEN in Dispatch:SecretsPath)",
                error.Message);
        }
    }

    /// <summary>Whether acme has the secret changes nothing in what evil is told: the import is no oracle of other tenants' secrets.</summary>
    [Fact]
    public void Compile_ForImport_EvilsErrorIsTheSameWhetherOrNotAcmeHasTheSecret()
    {
        var rule = SenderHarness.Rule("evil", auth: new AuthDefinition { Type = "bearer", Secret = "CRM_TOKEN" });
        var whenAcmeHasIt = ImportErrors(rule).Single().ToString();
        var whenNobodyHasIt = ImportErrors(rule with { Auth = rule.Auth! with { Secret = "NOBODY_HAS_IT" } }).Single().ToString();

        Assert.Equal(whenAcmeHasIt.Replace("CRM_TOKEN", "X", StringComparison.Ordinal), whenNobodyHasIt.Replace("NOBODY_HAS_IT", "X", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_ForImport_EvilSpellsAcmesSecretEveryWay_EachAFieldError()
    {
        foreach (var name in HostileSpellings.Of("CRM_TOKEN", Path.Combine(_secrets.Folder, "acme")))
        {
            foreach (var (field, rule) in EveryField("evil", name))
            {
                var errors = ImportErrors(rule);

                var error = Assert.Single(errors, e => e.Path == field);
                Assert.True(error.Message.Contains("is not a valid secret name", StringComparison.Ordinal)
                    || error.Message.Contains("is required", StringComparison.Ordinal)
                    || error.Message.Contains("not set for tenant 'evil'", StringComparison.Ordinal), $"{SecretNames.Quote(name)}: {error.Message}");
                Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\0', error.Message);
                Assert.DoesNotContain('\n', error.Message);
            }
        }
    }

    /// <summary>On main the compiler took any non-blank name: <c>ACME__CRM_TOKEN</c>, <c>acme..x</c> and non-ASCII names were valid.</summary>
    [Fact]
    public void Compile_ForRuntime_InvalidNameRefusedEvenForAStoredRule()
    {
        var errors = new List<RuleError>();
        var rule = SenderHarness.Rule("acme", auth: new AuthDefinition { Type = "bearer", Secret = "ACME__CRM_TOKEN" });

        Assert.Null(_sender.Get<RuleCompilerFactory>().ForRuntime().Compile(rule, 1, true, null, "database", errors));
        Assert.Contains("is not a valid secret name", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    /// <summary>On main any non-blank tenant id imported: <c>Acme</c>, <c>../acme</c> or <c>acme/x</c> became a tenant.</summary>
    [Theory]
    [InlineData("Acme")]
    [InlineData("../acme")]
    [InlineData("acme/x")]
    [InlineData("acme_eu")]
    [InlineData("acme\n")]
    [InlineData(".")]
    public void Compile_TenantIdNotOfTheContractsForm_FieldError(string tenant)
    {
        var rule = SenderHarness.Rule("acme");
        var errors = ImportErrors(rule with { TenantId = tenant });

        var error = Assert.Single(errors);
        Assert.Equal("tenantId", error.Path);
        Assert.EndsWith("is not a tenant id: 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretValues_EvilsRuleNamingAcmesSecret_NothingOfAcmes()
    {
        var redactor = _sender.Get<Redactor>();

        Assert.Equal([Token], redactor.SecretValues(SenderHarness.Rule("acme", auth: new AuthDefinition { Type = "bearer", Secret = "CRM_TOKEN" })));
        Assert.Empty(redactor.SecretValues(SenderHarness.Rule("evil", auth: new AuthDefinition { Type = "bearer", Secret = "CRM_TOKEN" })));
    }

    private List<RuleError> ImportErrors(RuleDefinition rule)
    {
        var errors = new List<RuleError>();
        _sender.Get<RuleCompilerFactory>().ForImport().Compile(rule, 1, true, null, "rules.yaml", errors);
        return errors;
    }

    /// <summary>A PEM certificate and private key, as a <c>clientCertificate</c> secret holds them.</summary>
    internal static string SelfSignedPem(string subject = "CN=acme-client")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem();
    }
}
