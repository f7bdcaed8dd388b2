namespace Thaw.Infra.Tests;

public sealed class SecretPatternTests
{
    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=st;AccountKey=bm90LWEta2V5;EndpointSuffix=core.windows.net")]
    [InlineData("Endpoint=sb://sb.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc=")]
    [InlineData("https://st.blob.core.windows.net/c?sv=2024-11-04&sig=abc%3D")]
    [InlineData("DOCKER_REGISTRY_SERVER_PASSWORD")]
    [InlineData("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2025-06-01').keys[0].value]")]
    public void Matches_SecretShapes_True(string text) => Assert.True(SecretPattern.Matches(text));

    [Theory]
    [InlineData("thaw-jobs")]
    [InlineData("managedidentity")]
    [InlineData("https://stthaw.blob.core.windows.net/")]
    [InlineData("Thaw__Storage__ManagedIdentityClientId")]
    public void Matches_PlainSettings_False(string text) => Assert.False(SecretPattern.Matches(text));
}
