// A stand-in for a CRM or notification API: prints each request it receives and answers 200 with an id.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var quiet = app.Configuration.GetValue<bool>("Quiet");
var received = 0L;
string[] shown = ["webhook-id", "webhook-timestamp", "webhook-signature", "Idempotency-Key", "User-Agent", "traceparent", "Content-Type"];

app.MapMethods("/{**path}", ["GET", "POST", "PUT", "PATCH", "DELETE"], async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    var count = Interlocked.Increment(ref received);
    if (!quiet)
    {
        Console.WriteLine($"--- #{count} {request.Method} {request.Path}{request.QueryString}");
        foreach (var name in shown)
        {
            if (request.Headers.TryGetValue(name, out var value))
                Console.WriteLine($"    {name}: {value}");
        }
        Console.WriteLine($"    {body}");
    }
    return Results.Json(new { id = $"rec_{count}", received = count });
});

app.Run();
