using Astra.Dispatch.Console;

var builder = WebApplication.CreateBuilder(args);
builder.AddDispatchConsole();
var app = builder.Build();
app.UseDispatchConsole();
app.MapDispatchConsole();
await app.RunAsync();
