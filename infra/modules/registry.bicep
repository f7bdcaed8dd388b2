// The registry the images are built into (az acr build) and pulled from with the app identity: no admin user,
// no anonymous pull, so no registry password anywhere.
import { roles } from 'conventions.bicep'

@description('Registry name: 5-50 letters and digits, unique in Azure.')
@minLength(5)
@maxLength(50)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Object id of the identity that pulls images.')
param pullPrincipalId string

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, pullPrincipalId, roles.acrPull)
  properties: {
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
