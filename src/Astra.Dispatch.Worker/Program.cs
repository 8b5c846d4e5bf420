using Astra.Dispatch.Worker;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddDispatchWorker();
var app = builder.Build();
app.MapDispatchHealth();
await app.RunAsync();
