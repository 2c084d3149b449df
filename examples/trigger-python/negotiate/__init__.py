# POST /api/negotiate: the connection info of an anonymous client of hub "chat".
import azure.functions as func


def main(req: func.HttpRequest, connectionInfo: str) -> func.HttpResponse:
    return func.HttpResponse(connectionInfo, mimetype="application/json")
