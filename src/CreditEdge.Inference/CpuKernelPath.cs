using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CreditEdge.Inference;

/// <summary>
/// Names the integer-kernel family ONNX Runtime's MLAS picks on this CPU, from the same instruction-set features it
/// checks: x86-64 with AVX-512 VNNI or AVX-VNNI (32-bit dot products), AVX2 without VNNI (pairs of u8×s8 products summed
/// in saturating 16-bit lanes), SSE4 without AVX2 (widened to 16 bits first), arm64 with or without the dot-product
/// extension.
/// </summary>
public static class CpuKernelPath
{
    public static string Describe() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 when Avx512F.IsSupported && HasAvx512Vnni() => "x86-64 AVX-512 VNNI",
        Architecture.X64 when AvxVnni.IsSupported => "x86-64 AVX2 with AVX-VNNI",
        Architecture.X64 when Avx2.IsSupported => "x86-64 AVX2 without VNNI",
        Architecture.X64 => "x86-64 SSE4 without AVX2",
        Architecture.Arm64 when Dp.IsSupported => "arm64 NEON with dot-product",
        Architecture.Arm64 => "arm64 NEON without dot-product",
        var other => other.ToString(),
    };

    /// <summary>CPUID leaf 7, sub-leaf 0, ECX bit 11: AVX512_VNNI (.NET exposes no IsSupported for it on its own).</summary>
    private static bool HasAvx512Vnni() => (X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0;
}
