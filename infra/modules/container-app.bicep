// One container app with the app identity: the Thaw Functions app (kind functionapp, HTTP ingress) and the
// Service Bus worker (no ingress, KEDA scale rule) are both this shape. Images come from the registry through the
// identity; settings become environment variables with plain values, never secret references.
@description('App name.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('"functionapp" for Azure Functions on Container Apps (the Functions host inside the image, scaled by its triggers); empty for a plain container.')
@allowed([
  ''
  'functionapp'
])
param kind string

@description('Container Apps environment id.')
param environmentId string

@description('Workload profile of the environment the replicas run on.')
param workloadProfileName string

@description('Resource id of the user-assigned identity (registry pulls, Azure SDK clients, KEDA scalers).')
param identityId string

@description('Login server of the registry to pull from with the identity (public images, such as the placeholders, need none but do no harm).')
param registryServer string

@description('Container image.')
param image string

@description('Container arguments (empty: the image\'s own).')
param args string[]

@description('Environment variables, name to value.')
param settings object

@description('vCPUs per replica (a string so fractions survive; a GPU profile dictates its own, e.g. 8 for T4).')
param cpu string

@description('Memory per replica, e.g. "56Gi".')
param memory string

@description('Fewest replicas; 0 is scale to zero and costs nothing while idle.')
@minValue(0)
param minReplicas int

@description('Most replicas.')
@minValue(1)
param maxReplicas int

@description('Port of external HTTPS ingress; 0 for no ingress.')
param ingressTargetPort int

@description('KEDA scale rules (empty: HTTP scaling for ingress apps, the Functions triggers for kind functionapp).')
param scaleRules array

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  kind: empty(kind) ? null : kind
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: ingressTargetPort == 0
        ? null
        : {
            external: true
            targetPort: ingressTargetPort
            transport: 'auto'
            allowInsecure: false
          }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'main'
          image: image
          args: empty(args) ? null : args
          env: [for setting in items(settings): { name: setting.key, value: setting.value }]
          resources: {
            cpu: json(cpu)
            memory: memory
          }
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: empty(scaleRules) ? null : scaleRules
      }
    }
  }
}

output name string = app.name
output fqdn string = ingressTargetPort == 0 ? '' : app.properties.configuration.ingress.fqdn
