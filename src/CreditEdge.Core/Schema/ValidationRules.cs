namespace CreditEdge.Core.Schema;

/// <summary>The names of the rules a request can break, as they appear in a 400 response.</summary>
public static class ValidationRules
{
    public const string Json = "json";
    public const string BodySize = "body-size";
    public const string UnknownField = "unknown-field";
    public const string Duplicate = "duplicate";
    public const string Required = "required";
    public const string Type = "type";
    public const string Finite = "finite";
    public const string Range = "range";
    public const string WholeNumber = "whole-number";
    public const string Code = "code";
    public const string Length = "length";
}
