// The Functions app on Flex Consumption (plan FC1): code deployment from a blob container reached with the app
// identity, scale to zero unless always-ready instances are asked for. Flex has no GPU and no containers, so this
// is the CPU variant; it stops an app whose host takes over 30 s to start, which Thaw avoids by loading models
// in the background.
@description('App name, unique in Azure (it becomes <name>.azurewebsites.net).')
param name string

@description('Azure region (one that offers Flex Consumption).')
param location string

@description('Tags for every resource.')
param tags object

@description('Resource id of the app identity.')
param identityId string

@description('Blob endpoint of the storage account, ending in "/".')
param blobEndpoint string

@description('Container of the deployment package in that account.')
param deploymentContainer string

@description('App settings, name to value.')
param settings object

@description('Instances kept running for HTTP functions even with no traffic; 0 scales to zero.')
@minValue(0)
param alwaysReadyInstances int

@description('Most instances.')
@minValue(1)
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Flex takes the runtime from functionAppConfig and refuses FUNCTIONS_WORKER_RUNTIME here.
      appSettings: [for setting in items(settings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyInstances == 0
          ? []
          : [
              {
                name: 'http'
                instanceCount: alwaysReadyInstances
              }
            ]
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
