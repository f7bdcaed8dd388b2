// Names and settings that the templates and the app must agree on, in one place: the storage module creates the
// containers and queues, and thawSettings() points the app's configuration at the same names. tests/Thaw.Infra.Tests
// checks both ends against the compiled deployment and against the app's own defaults.

@export()
@description('Blob containers: model origins (manifests with source.kind "blob"), the snapshot store (Thaw:Storage:SnapshotContainer), batch input and output files (Thaw:Files:Container), idle-time statistics (Thaw:Storage:KeepAliveContainer). All exist before the app starts: its identity may not create containers.')
var blobContainers = {
  origins: 'thaw-origins'
  snapshots: 'thaw-snapshots'
  files: 'thaw-files'
  keepalive: 'thaw-keepalive'
}

@export()
@description('The Functions host\'s own containers in its storage account (AzureWebJobsStorage): azure-webjobs-hosts holds its locks, leases and timer schedules, azure-webjobs-secrets its function and host keys. Created here because the identity cannot create containers; the host keeps its own role on them (docs/security.md).')
var functionsHostContainers = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

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
@description('Built-in role definition ids (the same in every tenant), granted to the app identity at the narrowest scope that works: each storage role on one container or queue, never on the account.')
var roles = {
  // The Functions host's documented role for its host storage with identity-based connections, on its two containers.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Thaw's read-write containers (snapshots, files, idle times), the Flex deployment package and reply containers.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Model origins: read only.
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  // Thaw's own queues: the triggers and listeners receive and delete, the app sends, and creates a queue if absent.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Reply queues: send only.
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
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
  serviceBusNamespace string,
  replyContainers string[],
  replyQueues string[]
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
      Thaw__Storage__KeepAliveContainer: blobContainers.keepalive
      Thaw__Files__Container: blobContainers.files
      Thaw__Jobs__Queue: storageQueues.jobs
      Thaw__Jobs__RequestQueue: storageQueues.requests
      Thaw__Onnx__ExecutionProvider: executionProvider
      Thaw__Models__Prewarm__0: prewarmModel
    },
    // Thaw:Requests:ReplyContainers and ReplyQueues: the only destinations a queued request's reply may go to.
    toObject(range(0, length(replyContainers)), i => 'Thaw__Requests__ReplyContainers__${i}', i => replyContainers[i]),
    toObject(range(0, length(replyQueues)), i => 'Thaw__Requests__ReplyQueues__${i}', i => replyQueues[i]),
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
