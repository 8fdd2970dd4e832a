namespace CreditEdge.Modeling.Teacher;

/// <summary>One row as ML.NET sees it; the vector width is set at run time by a schema definition.</summary>
internal sealed class TeacherExample
{
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}
