using System.Net;
using System.Text.RegularExpressions;

namespace Astra.Dispatch.Console.Tests.Web.Support;

/// <summary>
/// The console over plain HTTP, as a browser would use it but without one: cookies kept by hand (HttpClient's
/// container would not send a Secure cookie over http://127.0.0.1, which browsers do), redirects not followed, and
/// the antiforgery token read from the last form.
/// </summary>
/// <param name="baseAddress">The console.</param>
/// <param name="trustedThumbprint">Over HTTPS: the test certificate's SHA-1 thumbprint, the only one accepted.</param>
public sealed partial class WebSession(Uri baseAddress, string? trustedThumbprint = null) : IDisposable
{
    private readonly HttpClient _client = new(new HttpClientHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None
            || (trustedThumbprint is not null && string.Equals(certificate?.Thumbprint, trustedThumbprint, StringComparison.OrdinalIgnoreCase)),
    })
    { BaseAddress = baseAddress };

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>Every Set-Cookie header seen, as sent.</summary>
    public List<string> SetCookies { get; } = [];

    public string? LastToken { get; private set; }

    public async Task<(HttpStatusCode Status, string Body, string? Location)> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request);
    }

    /// <summary>Posts a form; the antiforgery token of the last page read is added unless <paramref name="withToken"/> is false.</summary>
    public async Task<(HttpStatusCode Status, string Body, string? Location)> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true)
    {
        var all = fields.ToList();
        if (withToken && LastToken is not null)
            all.Add(new("__csrf", LastToken));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
        return await SendAsync(request);
    }

    /// <summary>Signs in with <paramref name="key"/>; true when the console opened a session.</summary>
    public async Task<bool> SignInAsync(string key)
    {
        await GetAsync("/signin");
        var (status, _, location) = await PostAsync("/signin", [new("key", key)]);
        return status == HttpStatusCode.Found && location == "/";
    }

    private async Task<(HttpStatusCode, string, string?)> SendAsync(HttpRequestMessage request)
    {
        if (Cookies.Count > 0)
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        using var response = await _client.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            SetCookies.Add(header);
            var pair = header.Split(';')[0];
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = (pair[..eq], pair[(eq + 1)..]);
            if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                Cookies.Remove(name);
            else
                Cookies[name] = value;
        }
        var body = await response.Content.ReadAsStringAsync();
        if (TokenPattern().Match(body) is { Success: true } m)
            LastToken = m.Groups[1].Value;
        return (response.StatusCode, body, response.Headers.Location?.OriginalString);
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
