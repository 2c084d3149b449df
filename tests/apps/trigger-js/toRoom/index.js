// messages/toRoom: the signalR output's hubName is {room}, the first argument (parameterNames).
module.exports = async function (context) {
  context.bindings.signalRMessages = { target: "newMessage", arguments: [context.bindingData.text] };
};
