# connections/disconnected: everyone gets offline(connectionId).
import json

import azure.functions as func


def main(invocation, signalRMessages: func.Out[str]) -> None:
    connection_id = json.loads(invocation)["ConnectionId"]
    signalRMessages.set(json.dumps({"target": "offline", "arguments": [connection_id]}))
