using Onnx;

namespace CreditEdge.Modeling.Teacher;

/// <summary>A trained teacher: its ONNX graph in the package contract (<c>features</c> → <c>probability</c>).</summary>
public sealed record TeacherModel(ModelProto Onnx, TeacherOptions Options, int Trees);
