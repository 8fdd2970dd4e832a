using CreditEdge.Office;
using Microsoft.Extensions.Options;

try
{
    await using var app = OfficeApp.Create(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"creditedge-office: {string.Join("; ", ex.Failures)}");
    return 1;
}
