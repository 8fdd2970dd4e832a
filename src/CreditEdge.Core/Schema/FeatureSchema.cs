using System.Collections.Frozen;

namespace CreditEdge.Core.Schema;

/// <summary>The inputs a model takes, in the order it takes them, and the fields a request may carry beside them.</summary>
public sealed class FeatureSchema
{
    private readonly FrozenDictionary<string, int> _indexByName;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _indexBySpan;
    private readonly FrozenDictionary<string, FieldRole> _nonInputs;
    private readonly FrozenDictionary<string, FieldRole>.AlternateLookup<ReadOnlySpan<char>> _nonInputsBySpan;

    public FeatureSchema(IReadOnlyList<FeatureDefinition> features, IReadOnlyList<NonInputField>? nonInputs = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        Features = features;
        NonInputs = nonInputs ?? [];
        SchemaCheck.ThrowIfInvalid(Features, NonInputs);

        _indexByName = Features.Select((f, i) => KeyValuePair.Create(f.Name, i)).ToFrozenDictionary(StringComparer.Ordinal);
        _indexBySpan = _indexByName.GetAlternateLookup<ReadOnlySpan<char>>();
        _nonInputs = NonInputs.ToFrozenDictionary(f => f.Name, f => f.Role, StringComparer.Ordinal);
        _nonInputsBySpan = _nonInputs.GetAlternateLookup<ReadOnlySpan<char>>();

        MissingValues = Features.Select(f => f.MissingValue).ToArray();
    }

    public IReadOnlyList<FeatureDefinition> Features { get; }

    public IReadOnlyList<NonInputField> NonInputs { get; }

    public int Count => Features.Count;

    /// <summary>Per feature, what the model sees when an optional value is missing.</summary>
    internal float[] MissingValues { get; }

    public int IndexOf(ReadOnlySpan<char> name) => _indexBySpan.TryGetValue(name, out var index) ? index : -1;

    public int IndexOf(string name) => _indexByName.TryGetValue(name, out var index) ? index : -1;

    public bool IsNonInput(ReadOnlySpan<char> name) => _nonInputsBySpan.ContainsKey(name);

    /// <summary>The feature's value as a person reads it: the number, or the code behind a categorical index.</summary>
    public string Describe(int index, float value)
    {
        var feature = Features[index];
        if (feature.Kind == FeatureKind.Categorical && feature.Codes is { } codes
            && value >= 0 && value < codes.Count && value == MathF.Floor(value))
        {
            return codes[(int)value];
        }

        return value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
