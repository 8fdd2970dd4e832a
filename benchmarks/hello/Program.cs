// The .NET hello world of the cold-start comparison: `dotnet hello.dll --urls=http://127.0.0.1:PORT`.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/readyz", () => "ready");
app.Run();
