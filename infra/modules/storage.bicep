// The storage account of Thaw and of the Functions host: model origins, snapshots, batch files and job queues.
// Shared-key access is off, so nothing can use an account key: every client (the Functions host, Thaw, KEDA,
// az CLI with --auth-mode login) authenticates with Microsoft Entra ID.
import { blobContainers, functionsHostContainers, storageQueues, poisonSuffix } from 'conventions.bicep'

@description('Storage account name: 3-24 lowercase letters and digits, unique in Azure.')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Containers needed beyond Thaw\'s own, e.g. the Flex Consumption deployment package container.')
param extraContainers string[] = []

@description('Containers that queued requests may be answered in (Thaw:Requests:ReplyContainers): created here, never by the app.')
param replyContainers string[] = []

@description('Queues that queued requests may be answered on (Thaw:Requests:ReplyQueues): created here, never by the app.')
param replyQueues string[] = []

var queueNames = concat(flatten(map(items(storageQueues), q => [q.value, '${q.value}${poisonSuffix}'])), replyQueues)

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for container in concat(map(items(blobContainers), c => c.value), functionsHostContainers, extraContainers, replyContainers): {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queue in queueNames: {
    parent: queueService
    name: queue
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
