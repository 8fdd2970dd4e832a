using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Tests;

public sealed class MlpTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AccumulateGradient_TinyNetwork_MatchesFiniteDifferences(int label)
    {
        var network = new Mlp([3, 4, 2, 1]);
        network.Initialize(new Random(5));
        var random = new Random(9);
        for (var i = 0; i < network.Parameters.Length; i++)
        {
            network.Parameters[i] += (random.NextDouble() - 0.5) * 0.2; // non-zero biases too
        }

        double[] input = [0.7, -1.3, 2.1];
        var workspace = network.CreateWorkspace();
        var analytic = new double[network.Parameters.Length];
        network.AccumulateGradient(input, label, analytic, workspace);

        const double h = 1e-6;
        var scratch = new double[network.Parameters.Length];
        for (var i = 0; i < network.Parameters.Length; i++)
        {
            var saved = network.Parameters[i];
            network.Parameters[i] = saved + h;
            var plus = network.AccumulateGradient(input, label, scratch, workspace);
            network.Parameters[i] = saved - h;
            var minus = network.AccumulateGradient(input, label, scratch, workspace);
            network.Parameters[i] = saved;

            var numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + (1e-4 * Math.Abs(numeric)),
                $"parameter {i}: analytic {analytic[i]}, finite difference {numeric}");
        }
    }

    [Theory]
    [InlineData(0, -1.5, 0.3, 2.0)]
    [InlineData(1, 2.0, 0.3, 2.0)]
    [InlineData(1, -0.5, 0.0, 3.0)]
    public void AccumulateGradient_DistillationLoss_MatchesFiniteDifferences(int label, double teacherLogit, double alpha, double temperature)
    {
        var network = new Mlp([3, 4, 2, 1]);
        network.Initialize(new Random(6));
        var loss = new DistillationLoss { Alpha = alpha, Temperature = temperature };
        double[] input = [0.7, -1.3, 2.1];
        var workspace = network.CreateWorkspace();
        var analytic = new double[network.Parameters.Length];
        network.AccumulateGradient(input, label, teacherLogit, loss, analytic, workspace);

        const double h = 1e-6;
        var scratch = new double[network.Parameters.Length];
        for (var i = 0; i < network.Parameters.Length; i++)
        {
            var saved = network.Parameters[i];
            network.Parameters[i] = saved + h;
            var plus = network.AccumulateGradient(input, label, teacherLogit, loss, scratch, workspace);
            network.Parameters[i] = saved - h;
            var minus = network.AccumulateGradient(input, label, teacherLogit, loss, scratch, workspace);
            network.Parameters[i] = saved;

            var numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + (1e-4 * Math.Abs(numeric)),
                $"parameter {i}: analytic {analytic[i]}, finite difference {numeric}");
        }
    }

    [Fact]
    public void Value_StudentEqualsTeacher_SoftTermIsTheTeachersEntropy()
    {
        var loss = new DistillationLoss { Alpha = 0, Temperature = 2 };

        var value = loss.Value(1.2, 0, 1.2);

        var q = Mlp.Sigmoid(0.6);
        var entropy = -((q * Math.Log(q)) + ((1 - q) * Math.Log(1 - q)));
        Assert.Equal(4 * entropy, value, 10);
        Assert.Equal(0, loss.Derivative(1.2, 0, 1.2), 12);
    }

    [Fact]
    public void AccumulateGradient_Example_ReturnsBinaryCrossEntropy()
    {
        var network = new Mlp([2, 1]);
        network.Parameters[0] = 0.5;
        network.Parameters[1] = -0.25;
        network.Parameters[2] = 0.1;
        var gradient = new double[3];

        var loss = network.AccumulateGradient([1.0, 2.0], 1, gradient, network.CreateWorkspace());

        var p = 1 / (1 + Math.Exp(-(0.5 - 0.5 + 0.1)));
        Assert.Equal(-Math.Log(p), loss, 12);
        Assert.Equal(p - 1, gradient[2], 12);
    }
}
