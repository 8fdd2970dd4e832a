using CreditEdge.CrashLoop;

// dotnet run -c Release --project tests/CreditEdge.CrashLoop -- --kills 50 [--seed S] [--clients C] [--keep DIR]
CrashLoopOptions options;
try
{
    options = CrashLoopOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"crash-loop: {e.Message}");
    return 2;
}

var result = await new CrashLoopRunner(options, Console.WriteLine).RunAsync();
Console.WriteLine();
Console.Write(result.Summary());
return result.Passed ? 0 : 1;
