using CreditEdge.Inference;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.Modeling.Training;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests;

public sealed class OnnxModelWriterTests
{
    [Fact]
    public void Write_NetworkWithNumericAndCategoricalInputs_OrtMatchesCSharpForwardPass()
    {
        // raw layout: [numeric, categorical (3 codes), numeric, categorical (2 codes)]
        var encoder = new InputEncoder([0, 2], [10f, -3f], [4f, 0.5f], [1, 3], [3, 2]);
        var network = new Mlp([encoder.EncodedWidth, 6, 4, 1]);
        network.Initialize(new Random(3));
        var random = new Random(4);
        for (var i = 0; i < network.Parameters.Length; i++)
        {
            network.Parameters[i] += (random.NextDouble() - 0.5) * 0.3;
        }

        network.RoundToSingle();
        var model = new TrainedModel(encoder, network, new TrainingSummary(0, 0, 0, 0, 0));
        const int rows = 64;
        var features = new float[rows * 4];
        for (var r = 0; r < rows; r++)
        {
            features[(r * 4) + 0] = (float)(random.NextDouble() * 30);
            features[(r * 4) + 1] = random.Next(0, 3);
            features[(r * 4) + 2] = (float)((random.NextDouble() * 4) - 5);
            features[(r * 4) + 3] = random.Next(0, 2);
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("model.onnx");
        OnnxModelWriter.Write(model, "test", path);
        using var scorer = OnnxScorer.Load(path);
        var ort = scorer.Score(features, rows);
        var expected = model.Predict(features, rows);

        Assert.Equal(4, scorer.FeatureCount);
        for (var r = 0; r < rows; r++)
        {
            Assert.True(Math.Abs(ort[r] - expected[r]) <= 1e-5, $"row {r}: ORT {ort[r]}, C# {expected[r]}");
        }

        // the categorical inputs matter: changing only a code changes the probability
        float[] a = [10, 0, -3, 0];
        float[] b = [10, 2, -3, 0];
        Assert.NotEqual(scorer.Score(a, 1)[0], scorer.Score(b, 1)[0]);
    }

    [Fact]
    public void Build_AnyModel_UsesContractNamesOpsetAndSymbolicBatch()
    {
        var encoder = new InputEncoder([0], [0f], [1f], [1], [2]);
        var network = new Mlp([3, 2, 1]);
        var proto = OnnxModelWriter.Build(new TrainedModel(encoder, network, new TrainingSummary(0, 0, 0, 0, 0)), "doc");

        Assert.Equal(8, proto.IrVersion);
        Assert.Equal(17, proto.OpsetImport.Single().Version);
        var input = proto.Graph.Input.Single();
        Assert.Equal("features", input.Name);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(2, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("probability", proto.Graph.Output.Single().Name);
    }
}
