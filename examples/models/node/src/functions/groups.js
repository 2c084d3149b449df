// Group functions: add the user named by ?userId= to the group myGroup, or remove them from it.
const { app, output } = require('@azure/functions');

const groupActions = output.generic({
    type: 'signalR',
    name: 'signalRGroupActions',
    hubName: 'chat',
    connectionStringSetting: 'AzureSignalRConnectionString',
});

for (const [name, action] of [['addToGroup', 'add'], ['removeFromGroup', 'remove']]) {
    app.http(name, {
        methods: ['POST'],
        authLevel: 'anonymous',
        extraOutputs: [groupActions],
        handler: async (request, context) => {
            context.extraOutputs.set(groupActions, {
                userId: request.query.get('userId'),
                groupName: 'myGroup',
                action,
            });
        },
    });
}
