namespace CreditEdge.Modeling.Training;

/// <summary>
/// Knowledge distillation loss on the student logit z, the label y and the teacher logit t:
/// <c>α·BCE(y, σ(z)) + (1 − α)·T²·BCE(σ(t/T), σ(z/T))</c>. The T² keeps the soft term's gradient on the scale of the
/// hard one. α = 1 is plain binary cross-entropy on the labels. Defaults: T = 2, α = 0.3.
/// </summary>
public sealed record DistillationLoss
{
    /// <summary>Weight of the label term (0..1). Default 0.3.</summary>
    public double Alpha { get; init; } = 0.3;

    /// <summary>Temperature that softens both logits in the teacher term. Default 2.</summary>
    public double Temperature { get; init; } = 2;

    /// <summary>Labels only: α = 1.</summary>
    public static DistillationLoss LabelsOnly { get; } = new() { Alpha = 1, Temperature = 1 };

    /// <summary>The loss of one example.</summary>
    public double Value(double z, int label, double teacherLogit)
    {
        var hard = Softplus(z) - (label * z);
        if (Alpha >= 1)
        {
            return hard;
        }

        var t = Temperature;
        var q = Mlp.Sigmoid(teacherLogit / t);
        var soft = Softplus(z / t) - (q * z / t);
        return (Alpha * hard) + ((1 - Alpha) * t * t * soft);
    }

    /// <summary>dLoss/dz of one example: α(σ(z) − y) + (1 − α)·T·(σ(z/T) − σ(t/T)).</summary>
    public double Derivative(double z, int label, double teacherLogit)
    {
        var hard = Mlp.Sigmoid(z) - label;
        if (Alpha >= 1)
        {
            return hard;
        }

        var t = Temperature;
        return (Alpha * hard) + ((1 - Alpha) * t * (Mlp.Sigmoid(z / t) - Mlp.Sigmoid(teacherLogit / t)));
    }

    /// <summary>ln(1 + e^x), stable for large |x|.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
