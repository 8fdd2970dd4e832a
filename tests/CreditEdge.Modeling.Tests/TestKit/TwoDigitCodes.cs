using CreditEdge.Modeling.Quantization;

namespace CreditEdge.Modeling.Tests.TestKit;

/// <summary>
/// The two 7-bit digits a quantized layer reads for one input value, by hand in float32 steps as ONNX Runtime's Clip,
/// QuantizeLinear, DequantizeLinear and Sub compute them: the value's code and its rounding residual's code at scale / 126.
/// </summary>
public static class TwoDigitCodes
{
    public static (int Top, int Low) Of(float value, float scale, byte zeroPoint)
    {
        var a = Math.Clamp(value, (0 - zeroPoint) * scale, (QdqQuantizer.ActivationCodeMax - zeroPoint) * scale);
        var top = (int)Math.Clamp(MathF.Round(a / scale, MidpointRounding.ToEven) + zeroPoint, 0, 255);
        var residual = a - ((top - zeroPoint) * scale);
        var low = (int)Math.Clamp(MathF.Round(residual / (scale / QdqQuantizer.ResidualFactor), MidpointRounding.ToEven) + zeroPoint, 0, 255);
        return (top, low);
    }

    /// <summary>The value the layer reads back from its two digits: DQ(top) + DQ(low) / 126.</summary>
    public static double Value(float value, float scale, byte zeroPoint)
    {
        var (top, low) = Of(value, scale, zeroPoint);
        return (float)((top - zeroPoint) * scale) + ((low - zeroPoint) * scale / QdqQuantizer.ResidualFactor);
    }
}
