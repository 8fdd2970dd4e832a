using System.Text.Json.Serialization;

namespace CreditEdge.Core.Schema;

/// <summary>How a model input is given in a request and fed to the model.</summary>
public enum FeatureKind
{
    /// <summary>A number fed to the model as given.</summary>
    [JsonStringEnumMemberName("numeric")]
    Numeric,

    /// <summary>One of a fixed set of codes, fed to the model as the code's index in <see cref="FeatureDefinition.Codes"/>.</summary>
    [JsonStringEnumMemberName("categorical")]
    Categorical,
}
