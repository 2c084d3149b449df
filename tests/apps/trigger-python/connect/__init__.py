# connections/connect: refuses clients that connect with ?deny=...
import json


def main(invocation) -> None:
    query = json.loads(invocation)["Query"]
    if "deny" in query:
        raise PermissionError("python denies " + query["deny"])
