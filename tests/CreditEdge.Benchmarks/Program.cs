using System.Text;
using CreditEdge.Benchmarks;
using CreditEdge.Benchmarks.Http;
using CreditEdge.Benchmarks.Micro;
using CreditEdge.Benchmarks.Report;
using CreditEdge.Core.Packages;

if (args is ["compare", ..])
{
    return await CreditEdge.Benchmarks.Compare.CompareRunner.RunAsync(args, CancellationToken.None);
}

if (args is ["office-scale-report", ..])
{
    return await CreditEdge.Benchmarks.OfficeScale.OfficeScaleReport.RunAsync(args);
}

if (args is ["outbox", ..])
{
    return await CreditEdge.Benchmarks.Outbox.OutboxBenchmark.RunAsync(count: 20_000);
}

BenchmarkArgs options;
try
{
    options = BenchmarkArgs.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkArgs.Usage);
    return 2;
}

var machine = MachineInfo.Collect(args, TimeProvider.System);
var package = ModelPackage.Load(Repo.DefaultModel);
var model = $"models/default ({package.Manifest.Id} {package.Manifest.Version}, variant {package.Manifest.Variants[0].Name}, "
    + $"{package.Schema.Count} features, reason batch {package.Attribution.BatchRows} rows)";

var micro = options.RunMicro ? MicroRunner.Run() : null;
IReadOnlyList<LoadResult>? http = null;
string? httpFailure = null;
if (options.RunHttp)
{
    try
    {
        http = await HttpRunner.RunAsync(options, CancellationToken.None);
    }
    catch (Exception ex)
    {
        // keep the micro results: the report says why the HTTP part is missing and the exit code is 1
        httpFailure = $"{ex.GetBaseException().GetType().Name}: {ex.GetBaseException().Message}";
        Console.Error.WriteLine(ex);
    }
}

var report = FoundationReport.Render(machine, MachineInfo.LoadAverage(), model, micro, http, httpFailure);
Directory.CreateDirectory(Path.GetDirectoryName(Repo.ReportFile)!);
await File.WriteAllTextAsync(Repo.ReportFile, report, new UTF8Encoding(false));
Console.WriteLine(report);
Console.WriteLine($"report written to {Repo.ReportFile}");
return httpFailure is null ? 0 : 1;
