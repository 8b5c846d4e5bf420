using System.Security.Cryptography;

namespace Astra.Dispatch.Console.Web;

/// <summary>
/// The console's stylesheet and script, embedded in the assembly (no wwwroot to deploy or to find from a test host) and
/// served at <c>/assets/…?v=hash</c> with a year's cache: a new build changes the hash, so the URL.
/// </summary>
internal sealed class ConsoleAssets
{
    public const string PathPrefix = "/assets";

    private readonly Dictionary<string, (byte[] Bytes, string ContentType, string Hash)> _assets = new(StringComparer.Ordinal);

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        foreach (var (name, type) in new[] { ("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream($"Astra.Dispatch.Console.Assets.{name}")
                ?? throw new InvalidOperationException($"embedded asset {name} is missing");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            _assets[name] = (bytes, type, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
        }
    }

    /// <summary>The URL of an asset, with its content hash.</summary>
    public string Url(string name) => $"{PathPrefix}/{name}?v={_assets[name].Hash}";

    public void Map(WebApplication app) => app.MapGet(PathPrefix + "/{name}", (string name, HttpContext context) =>
    {
        if (!_assets.TryGetValue(name, out var asset))
            return Results.NotFound();
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }).AllowAnonymous().ExcludeFromDescription();
}
