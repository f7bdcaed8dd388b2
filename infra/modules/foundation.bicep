// What every variant shares: the app's user-assigned identity, the storage account with its data roles for that
// identity, and monitoring. One identity for all of Thaw's apps keeps the role assignments in one place; the apps
// are one trust domain (they read and write the same containers and queues).
import { roles, blobContainers, functionsHostContainers, storageQueues, poisonSuffix } from 'conventions.bicep'

@description('Name prefix of the resources: lowercase letters and digits.')
@minLength(1)
@maxLength(9)
param namePrefix string

@description('Suffix that makes globally unique names unique (uniqueString of the resource group).')
@minLength(13)
@maxLength(13)
param uniqueSuffix string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Containers needed beyond Thaw\'s own (e.g. Flex Consumption\'s deployment package).')
param extraContainers string[]

@description('Containers that queued requests may be answered in (Thaw:Requests:ReplyContainers); never one of Thaw\'s own.')
param replyContainers string[]

@description('Queues that queued requests may be answered on (Thaw:Requests:ReplyQueues); never one of Thaw\'s own.')
param replyQueues string[]

@description('Days Log Analytics keeps data.')
param logRetentionInDays int

@description('Daily ingestion cap in GB for Log Analytics (-1: no cap).')
param logDailyQuotaGb int

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${namePrefix}-${uniqueSuffix}'
  location: location
  tags: tags
}

module storage 'storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${namePrefix}${uniqueSuffix}'
    location: location
    tags: tags
    extraContainers: extraContainers
    replyContainers: replyContainers
    replyQueues: replyQueues
  }
}

// Each role on the one container or queue it is for: the identity reads origins, writes Thaw's own containers, the
// deployment package and reply containers, keeps the Functions host's containers (the host runs under it too), works
// Thaw's queues and only sends to reply queues. Nothing at account scope, so a request cannot make the app write
// anywhere else, and a new container or queue in the account is out of its reach.
var containerRoles = concat(
  [{ container: blobContainers.origins, roleId: roles.storageBlobDataReader }],
  map(
    concat([blobContainers.snapshots, blobContainers.files, blobContainers.keepalive], extraContainers, replyContainers),
    c => { container: c, roleId: roles.storageBlobDataContributor }
  ),
  map(functionsHostContainers, c => { container: c, roleId: roles.storageBlobDataOwner })
)
var queueRoles = concat(
  map(
    flatten(map(items(storageQueues), q => [q.value, '${q.value}${poisonSuffix}'])),
    q => { queue: q, roleId: roles.storageQueueDataContributor }
  ),
  map(replyQueues, q => { queue: q, roleId: roles.storageQueueDataMessageSender })
)

module storageRoles 'storage-roles.bicep' = {
  name: 'storage-roles'
  params: {
    storageAccountName: storage.outputs.name
    principalId: identity.properties.principalId
    containerRoles: containerRoles
    queueRoles: queueRoles
  }
}

module monitoring 'monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: '${namePrefix}-${uniqueSuffix}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
  }
}

output identityId string = identity.id
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output storageAccountName string = storage.outputs.name
output blobEndpoint string = storage.outputs.blobEndpoint
output workspaceId string = monitoring.outputs.workspaceId
output appInsightsConnectionString string = monitoring.outputs.appInsightsConnectionString
