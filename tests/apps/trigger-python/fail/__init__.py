# messages/fail: raises; the caller's invoke() is rejected with the exception's message.
import json


def main(invocation: str):
    raise ValueError("python says no: " + str(json.loads(invocation)["Arguments"][0]))
