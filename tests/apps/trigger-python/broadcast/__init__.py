# messages/broadcast: the InvocationContext arrives as a JSON string (as in Azure's samples); the
# return value is the caller's invoke() result.
import json

import azure.functions as func


def main(invocation, signalRMessages: func.Out[str]):
    invocation_json = json.loads(invocation)
    text = invocation_json["Arguments"][0]
    signalRMessages.set(json.dumps({"target": "newMessage", "arguments": [text, "from python"]}))
    return {"echo": text, "connectionId": invocation_json["ConnectionId"], "userId": invocation_json["UserId"]}
