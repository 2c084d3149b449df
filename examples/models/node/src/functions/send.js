// Send functions: the request body as the argument of a `newMessage` message, to every client, to the user
// userId1, or to the group myGroup.
const { app, output } = require('@azure/functions');

const signalR = output.generic({
    type: 'signalR',
    name: 'signalRMessages',
    hubName: 'chat',
    connectionStringSetting: 'AzureSignalRConnectionString',
});

app.http('SendMessage', {
    methods: ['POST'],
    authLevel: 'anonymous',
    extraOutputs: [signalR],
    handler: async (request, context) => {
        context.extraOutputs.set(signalR, { target: 'newMessage', arguments: [await request.json()] });
    },
});

app.http('SendToUser', {
    methods: ['POST'],
    authLevel: 'anonymous',
    extraOutputs: [signalR],
    handler: async (request, context) => {
        // sent only to this user ID
        context.extraOutputs.set(signalR, { userId: 'userId1', target: 'newMessage', arguments: [await request.json()] });
    },
});

app.http('SendToGroup', {
    methods: ['POST'],
    authLevel: 'anonymous',
    extraOutputs: [signalR],
    handler: async (request, context) => {
        // sent only to this group
        context.extraOutputs.set(signalR, { groupName: 'myGroup', target: 'newMessage', arguments: [await request.json()] });
    },
});
