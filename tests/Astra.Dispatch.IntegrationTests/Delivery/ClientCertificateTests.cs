using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Astra.Dispatch.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Delivery;

/// <summary>
/// mTLS to an in-house API: an HTTPS endpoint on loopback whose certificate comes from a private CA (trusted through
/// <c>Dispatch:Http:TrustedCaCertificates</c>) and that requires a client certificate it knows.
/// </summary>
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa();
    private readonly X509Certificate2 _client = TestCertificates.CreateClient("astra-dispatch");
    private readonly ConcurrentQueue<string> _seen = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("astra-mtls-").FullName;
    private WebApplication _server = null!;
    private DirectSender _sender = null!;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var serverCertificate = TestCertificates.CreateServer(_ca);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverCertificate;
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            // Only the one client certificate this API was given is accepted.
            https.ClientCertificateValidation = (certificate, _, _) => certificate.Thumbprint == _client.Thumbprint;
        })));
        _server = builder.Build();
        _server.MapPost("/leads", (HttpContext context) =>
        {
            _seen.Enqueue(context.Connection.ClientCertificate?.Thumbprint ?? "none");
            return Results.Ok();
        });
        await _server.StartAsync();
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _url = new Uri($"https://127.0.0.1:{address.Port}/leads");

        var caFile = Path.Combine(_folder, "in-house-ca.pem");
        await File.WriteAllTextAsync(caFile, _ca.ExportCertificatePem());
        var tenantSecrets = Directory.CreateDirectory(Path.Combine(_folder, "secrets", DirectSender.Tenant)).FullName;
        await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "CRM_CLIENT_PEM"), TestCertificates.ToPem(_client));
        await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "CRM_CLIENT_P12"), Convert.ToBase64String(_client.Export(X509ContentType.Pkcs12)));
        await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "NOT_A_CERT"), "just-a-password-" + Guid.NewGuid().ToString("N"));
        _sender = DirectSender.Create(new Dictionary<string, string?>
        {
            ["Dispatch:SecretsPath"] = Path.Combine(_folder, "secrets"),
            ["Dispatch:Http:TrustedCaCertificates:0"] = caFile,
        });
    }

    public async Task DisposeAsync()
    {
        await _sender.DisposeAsync();
        await _server.DisposeAsync();
        _ca.Dispose();
        _client.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("CRM_CLIENT_PEM")]
    [InlineData("CRM_CLIENT_P12")]
    public async Task SendAsync_RuleWithClientCertificateSecret_DeliveredWithThatCertificate(string secret)
    {
        var outcome = await _sender.SendAsync(DirectSender.Rule(_url, clientCertificate: secret));

        Assert.True(outcome.Kind == OutcomeKind.Succeeded, outcome.Error);
        Assert.Equal(200, outcome.StatusCode);
        Assert.Equal([_client.Thumbprint], _seen);
    }

    [Fact]
    public async Task SendAsync_RuleWithoutClientCertificate_FailsAndEndpointNeverServes()
    {
        var outcome = await _sender.SendAsync(DirectSender.Rule(_url));

        Assert.NotEqual(OutcomeKind.Succeeded, outcome.Kind);
        Assert.Null(outcome.StatusCode);
        Assert.Empty(_seen);
    }

    [Fact]
    public async Task SendAsync_SecretIsNotACertificate_PermanentFailureNamingOnlyTheSecret()
    {
        var outcome = await _sender.SendAsync(DirectSender.Rule(_url, clientCertificate: "NOT_A_CERT"));

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Contains("NOT_A_CERT", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("just-a-password", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(_seen);
    }

    [Fact]
    public async Task SendAsync_ServerCertificateFromUntrustedCa_Fails()
    {
        await using var sender = DirectSender.Create(new Dictionary<string, string?> { ["Dispatch:SecretsPath"] = Path.Combine(_folder, "secrets") });

        var outcome = await sender.SendAsync(DirectSender.Rule(_url, clientCertificate: "CRM_CLIENT_PEM"));

        Assert.NotEqual(OutcomeKind.Succeeded, outcome.Kind);
        Assert.Empty(_seen);
    }

    /// <summary>
    /// Client-certificate clients are pooled per certificate and network policy: on main one client per certificate
    /// served every tenant, so a tenant without the in-house network reached it over the pool of one that has it.
    /// </summary>
    [Fact]
    public async Task SendAsync_SameCertificateForATenantWithoutTheNetwork_RefusedDespiteAPooledConnection()
    {
        await using var sender = DirectSender.Create(new Dictionary<string, string?>
        {
            ["Dispatch:SecretsPath"] = Path.Combine(_folder, "secrets"),
            ["Dispatch:Http:TrustedCaCertificates:0"] = Path.Combine(_folder, "in-house-ca.pem"),
            ["Dispatch:Http:AllowedNetworks:0"] = "192.0.2.1/32",
            ["Dispatch:Http:Tenants:t-mtls:AllowedNetworks:0"] = "127.0.0.0/8",
        });
        // The same certificate, stored for each tenant (secrets are per tenant).
        foreach (var tenant in new[] { "t-mtls", "t-other" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(_folder, "secrets", tenant)).FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, "CRM_CLIENT_PEM"), TestCertificates.ToPem(_client));
        }

        var granted = await sender.SendAsync(DirectSender.Rule(_url, clientCertificate: "CRM_CLIENT_PEM", tenant: "t-mtls"));
        var other = await sender.SendAsync(DirectSender.Rule(_url, clientCertificate: "CRM_CLIENT_PEM", tenant: "t-other"));

        Assert.True(granted.Kind == OutcomeKind.Succeeded, granted.Error);
        Assert.Equal((OutcomeKind.Transient, HttpActionSender.Unreachable(_url)), (other.Kind, other.Error));
        Assert.Equal([_client.Thumbprint], _seen);
    }
}
