namespace Thaw.Infra.Tests;

/// <summary>Built-in Azure role definition ids, written out independently of infra/ so the tests check the templates.</summary>
internal static class RoleIds
{
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    public const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    public const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
}
