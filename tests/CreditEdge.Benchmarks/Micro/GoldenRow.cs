using CreditEdge.Core.Packages;
using CreditEdge.Core.Schema;

namespace CreditEdge.Benchmarks.Micro;

/// <summary>The first golden request, read through the real request reader into a model row.</summary>
public static class GoldenRow
{
    public static float[] First(ModelPackage package)
    {
        var row = new float[package.Schema.Count];
        var problems = new List<ValidationProblem>();
        if (!ScoreRequestReader.TryRead(GoldenBodies.All[0], package.Schema, row, out _, problems))
        {
            throw new InvalidOperationException($"the first golden request is invalid: {problems[0].Message}");
        }

        return row;
    }
}
