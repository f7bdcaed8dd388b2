using Thaw.Inference.Storage;

namespace Thaw.Inference.Tests.Storage;

public sealed class PlainFileNameTests
{
    [Theory]
    [InlineData("model.onnx")]
    [InlineData("prepared.onnx.data")]
    [InlineData("batch_0192abc")]
    [InlineData("...")]
    [InlineData("naïve vocab.txt")]
    public void Check_PlainName_Accepts(string name) => Assert.Null(PlainFileName.Check(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../../../etc/passwd")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("..\\..\\x")]
    [InlineData("/etc/passwd")]
    [InlineData("\\\\server\\share")]
    [InlineData("C:x")]
    [InlineData("file.txt:stream")]
    [InlineData("a\0b")]
    [InlineData("line\nbreak")]
    [InlineData("escape\u001b[31m")]
    public void Check_NameThatCouldLeaveItsDirectory_SaysWhy(string? name) => Assert.NotNull(PlainFileName.Check(name));

    [Fact]
    public void Check_OverLongName_IsRefused()
    {
        Assert.Null(PlainFileName.Check(new string('a', PlainFileName.MaxLength)));
        Assert.NotNull(PlainFileName.Check(new string('a', PlainFileName.MaxLength + 1)));
    }
}
