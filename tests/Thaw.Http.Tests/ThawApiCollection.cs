namespace Thaw.Http.Tests;

[CollectionDefinition(Name)]
public sealed class ThawApiCollection : ICollectionFixture<ThawApiServer>
{
    public const string Name = "Thaw API server";
}
