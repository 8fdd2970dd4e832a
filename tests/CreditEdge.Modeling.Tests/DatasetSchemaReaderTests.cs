using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests;

public sealed class DatasetSchemaReaderTests
{
    [Fact]
    public void Parse_ValidSchema_OrdersInputsAndSeparatesNonInputs()
    {
        var schema = DatasetSchemaReader.Parse(SyntheticCredit.SchemaJson(), "synthetic.json");

        Assert.Equal(["INCOME", "AGE", "REGION", "DELAYS"], schema.Inputs.Select(c => c.Name));
        Assert.Equal("DEFAULTED", schema.Label.Name);
        Assert.Equal(["ID", "GENDER"], schema.ToNonInputFields().Select(f => f.Name));
        Assert.Equal(SplitKind.IdentifierModulo, schema.Split.Kind);
    }

    [Fact]
    public void Parse_UnknownRole_NamesFileColumnAndRole()
    {
        var json = SyntheticCredit.SchemaJson(s => s.Replace("\"name\": \"AGE\", \"role\": \"numeric\"", "\"name\": \"AGE\", \"role\": \"numerc\"", StringComparison.Ordinal));

        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse(json, "bad.schema.json"));

        Assert.Contains("schema 'bad.schema.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column 'AGE' has unknown role 'numerc'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("numeric, categorical, label", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CategoricalWithoutCodes_NamesColumn()
    {
        var json = SyntheticCredit.SchemaJson(s => s.Replace("\"codes\": [\"N\", \"S\", \"E\", \"W\"], ", string.Empty, StringComparison.Ordinal));

        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse(json, "s.json"));

        Assert.Contains("column 'REGION' (categorical) has no 'codes'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoLabelColumn_SaysLabelIsMissing()
    {
        var json = SyntheticCredit.SchemaJson(s => s.Replace("\"role\": \"label\", \"bad\": \"1\", \"good\": \"0\"", "\"role\": \"ignored\"", StringComparison.Ordinal));

        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse(json, "s.json"));

        Assert.Contains("no column has role 'label'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NumericWithoutDomain_NamesColumnAndWhy()
    {
        var json = SyntheticCredit.SchemaJson(s => s.Replace("\"min\": 0, \"max\": 1000000, ", string.Empty, StringComparison.Ordinal));

        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse(json, "s.json"));

        Assert.Contains("column 'INCOME' (numeric) needs both 'min' and 'max'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidJson_NamesFileAndLine()
    {
        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse("{\n  \"name\": \"x\",\n  \"columns\": [ oops ]\n}", "broken.json"));

        Assert.Contains("schema 'broken.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesFile()
    {
        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Load("/nonexistent/x.schema.json"));

        Assert.Contains("'/nonexistent/x.schema.json': the file does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("taiwan-credit.schema.json", 21)]
    [InlineData("german-credit.schema.json", 18)]
    public void Load_ShippedSchemas_ParseWithExpectedInputCount(string file, int inputs)
    {
        var schema = DatasetSchemaReader.Load(Path.Combine(RepoPaths.Root, "models", "schemas", file));

        Assert.Equal(inputs, schema.Inputs.Count);
        Assert.All(schema.Protected, p => Assert.DoesNotContain(p, schema.Inputs));
    }

    [Fact]
    public void Load_TaiwanSchema_ListsTheAgreedFeatureOrder()
    {
        var schema = DatasetSchemaReader.Load(Path.Combine(RepoPaths.Root, "models", "schemas", "taiwan-credit.schema.json"));

        string[] expected =
        [
            "CREDIT_LIMIT", "EDUCATION", "AGE",
            .. Enumerable.Range(1, 6).Select(i => $"PAYMENTDELAY_{i}"),
            .. Enumerable.Range(1, 6).Select(i => $"BILL_AMT{i}"),
            .. Enumerable.Range(1, 6).Select(i => $"PAID_AMT{i}"),
        ];
        Assert.Equal(expected, schema.Inputs.Select(c => c.Name));
        Assert.Equal(["SEX", "MARITALSTATUS"], schema.Protected.Select(c => c.Name));
        Assert.Equal("1", schema.Label.Bad);
    }

}
