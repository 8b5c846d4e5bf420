// A stand-in for a CRM or notification API: prints each request it receives and answers 200 with an id.
// Paths under /helpdesk/ stand in for an API that checks its bearer token (HelpdeskToken): a wrong one gets
// 401, a permanent failure, so the demo can show a dead letter and its redrive.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var quiet = app.Configuration.GetValue<bool>("Quiet");
var helpdeskToken = app.Configuration["HelpdeskToken"] ?? "demo-helpdesk-token";
var received = 0L;
string[] shown = ["webhook-id", "webhook-timestamp", "webhook-signature", "Idempotency-Key", "User-Agent", "traceparent", "Content-Type"];

app.MapMethods("/{**path}", ["GET", "POST", "PUT", "PATCH", "DELETE"], async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    var count = Interlocked.Increment(ref received);
    var refused = request.Path.StartsWithSegments("/helpdesk") && request.Headers.Authorization != $"Bearer {helpdeskToken}";
    if (!quiet)
    {
        Console.WriteLine($"--- #{count} {request.Method} {request.Path}{request.QueryString}{(refused ? "  -> 401: not the helpdesk's bearer token" : "")}");
        foreach (var name in shown)
        {
            if (request.Headers.TryGetValue(name, out var value))
                Console.WriteLine($"    {name}: {value}");
        }
        Console.WriteLine($"    {body}");
    }
    return refused
        ? Results.Json(new { error = "invalid bearer token" }, statusCode: StatusCodes.Status401Unauthorized)
        : Results.Json(new { id = $"rec_{count}", received = count });
});

app.Run();
