# connection.invoke("broadcast", text): everyone gets newMessage(from, text); the return value resolves
# the caller's invoke(), a raised exception rejects it with the exception's message. The
# InvocationContext arrives as a JSON string, as in Azure's samples.
import json

import azure.functions as func


def main(invocation, signalRMessages: func.Out[str]):
    invocation_json = json.loads(invocation)
    text = str(invocation_json["Arguments"][0]).strip()
    if not text:
        raise ValueError("the message is empty")
    signalRMessages.set(
        json.dumps({"target": "newMessage", "arguments": [invocation_json["ConnectionId"], text]})
    )
    return {"sent": text}
