namespace Thaw.Http.Tests.Completions;

/// <summary>The completion tests share one server with the tiny decoders, loaded once.</summary>
[CollectionDefinition(Name)]
public sealed class CompletionServerCollection : ICollectionFixture<CompletionServer>
{
    public const string Name = "Completion server";
}
