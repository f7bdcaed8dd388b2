// What every variant shares: the app's user-assigned identity, the storage account with its data roles for that
// identity, and monitoring. One identity for all of Thaw's apps keeps the role assignments in one place; the apps
// are one trust domain (they read and write the same containers and queues).
import { roles } from 'conventions.bicep'

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
  }
}

module storageRoles 'storage-roles.bicep' = {
  name: 'storage-roles'
  params: {
    storageAccountName: storage.outputs.name
    principalId: identity.properties.principalId
    roleDefinitionIds: [roles.storageBlobDataOwner, roles.storageQueueDataContributor]
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
