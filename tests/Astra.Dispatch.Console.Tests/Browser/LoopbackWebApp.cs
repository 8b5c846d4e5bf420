using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Console.Tests.Browser;

/// <summary>
/// An ASP.NET Core app on a real Kestrel socket at http://127.0.0.1:0 (a browser cannot reach TestServer),
/// with the port the OS picked in <see cref="BaseAddress"/>.
/// </summary>
public sealed class LoopbackWebApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackWebApp(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Builds the app (<paramref name="configure"/> adds services), maps its endpoints (<paramref name="map"/>) and starts it.</summary>
    public static async Task<LoopbackWebApp> StartAsync(
        Action<WebApplication> map,
        Action<WebApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Listen() in code wins over ASPNETCORE_URLS and appsettings, so nothing outside the test moves the app.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new LoopbackWebApp(app, new Uri(address));
    }

    public string UrlFor(string path) => new Uri(BaseAddress, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
