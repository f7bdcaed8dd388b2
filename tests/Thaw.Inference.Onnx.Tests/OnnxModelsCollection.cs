namespace Thaw.Inference.Onnx.Tests;

[CollectionDefinition(Name)]
public sealed class OnnxModelsCollection : ICollectionFixture<OnnxModels>
{
    public const string Name = "ONNX models";
}
