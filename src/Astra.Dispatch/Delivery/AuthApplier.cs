using System.Net.Http.Headers;
using System.Text;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;

namespace Astra.Dispatch.Delivery;

/// <summary>Adds a rule's credentials to a request at send time, from secret names resolved just then inside the rule's tenant.</summary>
internal sealed class AuthApplier(SecretStore secrets, OAuth2TokenClient oauth)
{
    public async ValueTask ApplyAsync(HttpRequestMessage request, string tenantId, AuthDefinition? auth, CancellationToken cancellationToken)
    {
        switch (auth?.Type)
        {
            case null or "none":
                return;
            case "bearer":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets.Get(tenantId, auth.Secret!));
                return;
            case "basic":
                var pair = Encoding.UTF8.GetBytes($"{auth.Username}:{secrets.Get(tenantId, auth.Secret!)}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
                return;
            case "header":
                request.Headers.Remove(auth.Name!);
                request.Headers.TryAddWithoutValidation(auth.Name!, secrets.Get(tenantId, auth.Secret!));
                return;
            case "query":
                var uri = request.RequestUri!;
                var separator = string.IsNullOrEmpty(uri.Query) ? "?" : "&";
                request.RequestUri = new Uri($"{uri}{separator}{Uri.EscapeDataString(auth.Name!)}={Uri.EscapeDataString(secrets.Get(tenantId, auth.Secret!))}");
                return;
            case "oauth2":
                var token = await oauth.GetTokenAsync(tenantId, auth, cancellationToken);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return;
            default:
                throw new PermanentDeliveryException($"auth type '{auth.Type}' is not supported");
        }
    }
}
