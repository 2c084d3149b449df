// Negotiate functions: the connection info a client needs ({url, accessToken}), anonymous or for the
// signed-in user (the x-ms-client-principal-id header that App Service Authentication, or Switchboard's
// identity settings, put on the request).
const { app, input } = require('@azure/functions');

const anonymousConnection = input.generic({
    type: 'signalRConnectionInfo',
    name: 'connectionInfo',
    hubName: 'chat',
    connectionStringSetting: 'AzureSignalRConnectionString',
});

app.http('negotiateAnonymous', {
    methods: ['POST'],
    authLevel: 'anonymous',
    route: 'anonymous/negotiate',
    extraInputs: [anonymousConnection],
    handler: async (request, context) => {
        return { jsonBody: context.extraInputs.get(anonymousConnection) };
    },
});

const userConnection = input.generic({
    type: 'signalRConnectionInfo',
    name: 'connectionInfo',
    hubName: 'chat',
    userId: '{headers.x-ms-client-principal-id}',
    connectionStringSetting: 'AzureSignalRConnectionString',
});

app.http('negotiate', {
    methods: ['POST'],
    authLevel: 'anonymous',
    extraInputs: [userConnection],
    handler: async (request, context) => {
        // The access token carries the user id as its name identifier claim.
        context.log(`negotiate for ${request.headers.get('x-ms-client-principal-id')}`);
        return { jsonBody: context.extraInputs.get(userConnection) };
    },
});
