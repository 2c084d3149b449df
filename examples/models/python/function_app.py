# The seeds' SignalR function app in the Azure Functions Python programming model v2: one function_app.py,
# the trigger and bindings declared with decorators (no function.json).
import json
import logging

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="anonymous/negotiate", methods=["POST"])
@app.generic_input_binding(arg_name="connectionInfo", type="signalRConnectionInfo", hubName="chat",
                           connectionStringSetting="AzureSignalRConnectionString")
def negotiateAnonymous(req: func.HttpRequest, connectionInfo: str) -> func.HttpResponse:
    return func.HttpResponse(connectionInfo, status_code=200, mimetype="application/json")


@app.function_name(name="negotiate")
@app.route(route="negotiate", methods=[func.HttpMethod.POST])
@app.generic_input_binding(arg_name="connectionInfo", type="signalRConnectionInfo", hubName="chat",
                           userId="{headers.x-ms-client-principal-id}",
                           connectionStringSetting="AzureSignalRConnectionString")
def negotiate_for_user(req: func.HttpRequest, connectionInfo: str) -> func.HttpResponse:
    # The access token carries the user id as its name identifier claim.
    logging.info("negotiate for %s", req.headers.get("x-ms-client-principal-id"))
    return func.HttpResponse(connectionInfo, status_code=200, mimetype="application/json")


@app.route(route="SendMessage", methods=["POST"])
@app.generic_output_binding(arg_name="signalRMessages", type="signalR", hubName="chat",
                            connectionStringSetting="AzureSignalRConnectionString")
def SendMessage(req: func.HttpRequest, signalRMessages: func.Out[str]) -> None:
    signalRMessages.set(json.dumps({"target": "newMessage", "arguments": [req.get_json()]}))


@app.route(route="SendToUser", methods=["POST"])
@app.generic_output_binding(arg_name="signalRMessages", type="signalR", hubName="chat",
                            connectionStringSetting="AzureSignalRConnectionString")
def SendToUser(req: func.HttpRequest, signalRMessages: func.Out[str]) -> None:
    # sent only to this user ID
    signalRMessages.set(json.dumps({"userId": "userId1", "target": "newMessage", "arguments": [req.get_json()]}))


@app.route(route="SendToGroup", methods=["POST"])
@app.generic_output_binding(arg_name="signalRMessages", type="signalR", hubName="chat",
                            connectionStringSetting="AzureSignalRConnectionString")
def SendToGroup(req: func.HttpRequest, signalRMessages: func.Out[str]) -> None:
    # sent only to this group
    signalRMessages.set(json.dumps({"groupName": "myGroup", "target": "newMessage", "arguments": [req.get_json()]}))


@app.route(route="addToGroup", methods=["POST"])
@app.generic_output_binding(arg_name="action", type="signalR", hubName="chat",
                            connectionStringSetting="AzureSignalRConnectionString")
def addToGroup(req: func.HttpRequest, action: func.Out[str]) -> None:
    action.set(json.dumps({"userId": "userId1", "groupName": "myGroup", "action": "add"}))


@app.route(route="removeFromGroup", methods=["POST"])
@app.generic_output_binding(arg_name="action", type="signalR", hubName="chat",
                            connectionStringSetting="AzureSignalRConnectionString")
def removeFromGroup(req: func.HttpRequest, action: func.Out[str]) -> None:
    action.set(json.dumps({"userId": "userId1", "groupName": "myGroup", "action": "remove"}))
