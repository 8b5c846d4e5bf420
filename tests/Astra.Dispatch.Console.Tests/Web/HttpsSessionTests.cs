using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Console.Tests.Web.Support;

namespace Astra.Dispatch.Console.Tests.Web;

/// <summary>The console on HTTPS (Kestrel with a certificate made here): every cookie it sets is Secure, HttpOnly and SameSite=Strict.</summary>
public sealed class HttpsSessionTests
{
    [Fact]
    public async Task SignIn_OverHttps_EveryCookieSecureHttpOnlyStrict()
    {
        var folder = Directory.CreateTempSubdirectory("astra-console-tls-").FullName;
        try
        {
            using var certificate = SelfSigned();
            var pfx = Path.Combine(folder, "console.pfx");
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-only"));
            await using var app = await ConsoleApp.StartAsync(ConsoleApp.Sqlite, settings: new Dictionary<string, string?>
            {
                ["Dispatch:Console:Urls"] = "https://127.0.0.1:0",
                ["Kestrel:Certificates:Default:Path"] = pfx,
                ["Kestrel:Certificates:Default:Password"] = "test-only",
            });
            Assert.Equal("https", app.Client.BaseAddress!.Scheme);
            var key = await app.KeyAsync("viewer", "acme");
            using var web = new WebSession(app.Client.BaseAddress!, certificate.Thumbprint);

            Assert.True(await web.SignInAsync(key));
            var (status, _, _) = await web.GetAsync("/t/acme/rules");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(web.SetCookies, c => c.StartsWith("__Host-astra-console=", StringComparison.Ordinal));
            Assert.Contains(web.SetCookies, c => c.StartsWith("astra-antiforgery=", StringComparison.Ordinal));
            Assert.All(web.SetCookies, cookie =>
            {
                Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("; samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
