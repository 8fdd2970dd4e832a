using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests;

public sealed class DatasetReaderTests
{
    [Fact]
    public void Read_SyntheticFile_AppliesSplitAndCodes()
    {
        using var temp = new TempDirectory();
        var data = SyntheticCredit.WriteData(temp.Combine("data.csv"), 100);
        var schema = DatasetSchemaReader.Parse(SyntheticCredit.SchemaJson(), "s.json");

        var dataset = DatasetReader.Read(data, schema);

        Assert.Equal(100, dataset.RowCount);
        Assert.Equal(20, dataset.Test().RowCount);
        Assert.All(Enumerable.Range(0, dataset.RowCount), r => Assert.InRange(dataset.Row(r)[2], 0, 3));
    }

    [Fact]
    public void Read_ColumnAbsentFromFile_NamesColumnAndFile()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("data.csv");
        File.WriteAllText(path, "ID,INCOME,AGE,REGION,GENDER,DEFAULTED\n1,100.0,30,N,M,0\n");
        var schema = DatasetSchemaReader.Parse(SyntheticCredit.SchemaJson(), "s.json");

        var ex = Assert.Throws<DataFileException>(() => DatasetReader.Read(path, schema));

        Assert.Contains($"data '{path}', header: column 'DELAYS' of the schema is not in the file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnparsableNumber_NamesLineAndColumn()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("data.csv");
        File.WriteAllText(path, $"{SyntheticCredit.Header}\n1,1000.0,30,N,M,0,0\n2,12k,41,S,F,1,1\n");
        var schema = DatasetSchemaReader.Parse(SyntheticCredit.SchemaJson(), "s.json");

        var ex = Assert.Throws<DataFileException>(() => DatasetReader.Read(path, schema));

        Assert.Equal($"data '{path}', line 3, column 'INCOME': '12k' is not a number", ex.Message);
    }

    [Fact]
    public void Read_UnknownCode_NamesCodeAndAllowedCodes()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("data.csv");
        File.WriteAllText(path, $"{SyntheticCredit.Header}\n1,1000.0,30,X,M,0,0\n");
        var schema = DatasetSchemaReader.Parse(SyntheticCredit.SchemaJson(), "s.json");

        var ex = Assert.Throws<DataFileException>(() => DatasetReader.Read(path, schema));

        Assert.Contains("line 2, column 'REGION': code 'X' is not one of the schema's codes (N, S, E, W)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ValueOutsideDomain_SaysWidenTheDomain()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("data.csv");
        File.WriteAllText(path, $"{SyntheticCredit.Header}\n1,1000.0,130,N,M,0,0\n");
        var schema = DatasetSchemaReader.Parse(SyntheticCredit.SchemaJson(), "s.json");

        var ex = Assert.Throws<DataFileException>(() => DatasetReader.Read(path, schema));

        Assert.Contains("column 'AGE': 130 is outside the schema's domain [18, 120]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GermanSchemaOnSpaceSeparatedRows_ReadsCodesLabelsAndRowIndexSplit()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("german.data");
        File.WriteAllText(path,
            "A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1\n" +
            "A12 48 A32 A43 5951 A61 A73 2 A92 A101 2 A121 22 A143 A152 1 A173 1 A191 A201 2\n" +
            "A14  12 A34 A410 2096 A61 A74 2 A93 A101 3 A121 49 A143 A152 1 A172 2 A191 A201 1\n");
        var schema = DatasetSchemaReader.Load(Path.Combine(RepoPaths.Root, "models", "schemas", "german-credit.schema.json"));

        var dataset = DatasetReader.Read(path, schema);

        Assert.Equal(3, dataset.RowCount);
        Assert.Equal([0, 1, 0], Enumerable.Range(0, 3).Select(dataset.Label));
        Assert.Equal([true, false, false], Enumerable.Range(0, 3).Select(dataset.IsTest));
        Assert.Equal(3f, dataset.Row(2)[0]); // A14 is the 4th checking-account code
        Assert.Equal(10f, dataset.Row(2)[3]); // A410 is the 11th purpose code
        Assert.Equal(5951f, dataset.Row(1)[4]);
    }
}
