using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Astra.Dispatch.Console.Tests.Smoke;

/// <summary>The smallest page a browser test needs: a labelled input and a button that posts it back.</summary>
internal static class SmokeFormApp
{
    public const string Label = "Your name";
    public const string Button = "Send";

    private const string Form = $"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Smoke</title></head>
        <body>
          <main>
            <h1>Smoke</h1>
            <form method="post" action="/greet">
              <label for="name">{Label}</label>
              <input id="name" name="name" required>
              <button type="submit">{Button}</button>
            </form>
          </main>
        </body>
        </html>
        """;

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Results.Content(Form, "text/html; charset=utf-8"));
        // The form read by hand: no antiforgery metadata on the endpoint, as fits a throwaway page.
        app.MapPost("/greet", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var name = HtmlEncoder.Default.Encode(form["name"].ToString());
            return Results.Content(
                $"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Greeted</title></head><body><p role="status">Hello, {name}!</p></body></html>""",
                "text/html; charset=utf-8");
        });
    }
}
