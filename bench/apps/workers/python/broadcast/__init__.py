# POST /api/broadcast: the request body to every client of hub "bench" through the signalR output
# binding (bench/workers.py times the same function in JavaScript, Python and Java).
import json

import azure.functions as func


def main(req: func.HttpRequest, signalRMessages: func.Out[str]) -> func.HttpResponse:
    signalRMessages.set(json.dumps([{"target": "bench", "arguments": [req.get_json()]}]))
    return func.HttpResponse(status_code=202)
