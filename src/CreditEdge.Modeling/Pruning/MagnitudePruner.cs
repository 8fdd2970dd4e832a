using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Pruning;

/// <summary>
/// Per-layer magnitude pruning: in every weight matrix the given share of weights with the smallest |w| is set to zero
/// (ties broken by position, so the result is deterministic); biases are kept. Per layer rather than global so that the
/// small output layer is never emptied by the much larger first layer.
/// </summary>
public static class MagnitudePruner
{
    /// <summary>A keep-mask over <see cref="Mlp.Parameters"/>: false for the pruned weights, true for everything else.</summary>
    public static bool[] Mask(Mlp network, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(sparsity, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sparsity, 1);
        var keep = new bool[network.Parameters.Length];
        Array.Fill(keep, true);
        for (var l = 0; l < network.LayerCount; l++)
        {
            var offset = network.WeightOffset(l);
            var count = network.BiasOffset(l) - offset;
            var prune = (int)Math.Round(count * sparsity);
            var order = Enumerable.Range(0, count)
                .OrderBy(i => Math.Abs(network.Parameters[offset + i]))
                .ThenBy(i => i)
                .Take(prune);
            foreach (var i in order)
            {
                keep[offset + i] = false;
            }
        }

        return keep;
    }

    /// <summary>Share of weights (biases not counted) that are exactly zero.</summary>
    public static double Sparsity(Mlp network)
    {
        ArgumentNullException.ThrowIfNull(network);
        long zeros = 0, total = 0;
        for (var l = 0; l < network.LayerCount; l++)
        {
            var offset = network.WeightOffset(l);
            var count = network.BiasOffset(l) - offset;
            total += count;
            zeros += network.Parameters.AsSpan(offset, count).ToArray().Count(w => w == 0);
        }

        return total == 0 ? 0 : zeros / (double)total;
    }
}
