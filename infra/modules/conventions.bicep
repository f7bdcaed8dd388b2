// Names and settings that the templates and the app must agree on, in one place: the storage module creates the
// containers and queues, and thawSettings() points the app's configuration at the same names. tests/Thaw.Infra.Tests
// checks both ends against the compiled deployment and against the app's own defaults.

@export()
@description('Blob containers: model origins (manifests with source.kind "blob"), the snapshot store (Thaw:Storage:SnapshotContainer), batch input and output files (Thaw:Files:Container).')
var blobContainers = {
  origins: 'thaw-origins'
  snapshots: 'thaw-snapshots'
  files: 'thaw-files'
}

@export()
@description('Storage queues: batch jobs (Thaw:Jobs:Queue) and queued requests (Thaw:Jobs:RequestQueue). Each has a poison queue named with poisonSuffix, the Functions convention for messages that failed too often.')
var storageQueues = {
  jobs: 'thaw-jobs'
  requests: 'thaw-requests'
}

@export()
@description('Suffix of the poison queue that goes with each storage queue.')
var poisonSuffix = '-poison'

@export()
@description('The Service Bus queue of the job transport, when Service Bus is enabled.')
var serviceBusJobQueue = 'thaw-jobs'

@export()
@description('Built-in role definition ids (the same in every tenant), granted to the app identity at the narrowest scope that works.')
var roles = {
  // Functions keeps its host state (leases, function keys) in blobs of AzureWebJobsStorage and needs Owner, not
  // Contributor, with identity-based connections; the same role covers Thaw's snapshot, origin and file containers.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

@export()
@description('Thaw configuration shared by every host: endpoints, names and the identity to use; never a key or a connection string with a secret.')
func thawSettings(
  blobEndpoint string,
  identityClientId string,
  executionProvider string,
  prewarmModel string,
  appInsightsConnectionString string,
  serviceBusNamespace string
) object =>
  union(
    {
      // DefaultAzureCredential picks the user-assigned identity from here (the managed-identity credential needs it
      // when an app has more than one identity, and it makes the choice explicit when it has one).
      AZURE_CLIENT_ID: identityClientId
      // The connection string of Application Insights holds an instrumentation key, which is an identifier, not a secret.
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
      Thaw__Storage__ServiceUri: blobEndpoint
      Thaw__Storage__ManagedIdentityClientId: identityClientId
      Thaw__Storage__SnapshotContainer: blobContainers.snapshots
      Thaw__Files__Container: blobContainers.files
      Thaw__Jobs__Queue: storageQueues.jobs
      Thaw__Jobs__RequestQueue: storageQueues.requests
      Thaw__Onnx__ExecutionProvider: executionProvider
      Thaw__Models__Prewarm__0: prewarmModel
    },
    empty(serviceBusNamespace)
      ? {}
      : {
          Thaw__ServiceBus__FullyQualifiedNamespace: '${serviceBusNamespace}.servicebus.windows.net'
          Thaw__ServiceBus__Queue: serviceBusJobQueue
        }
  )

@export()
@description('The identity-based host storage connection of the Functions host (no account key): https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity')
func functionsHostStorageSettings(storageAccountName string, identityClientId string) object => {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}
