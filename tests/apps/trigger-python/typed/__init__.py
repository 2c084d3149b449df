# messages/typed: annotated `dict`, the InvocationContext arrives decoded.
def main(invocation: dict):
    return [invocation["Hub"], invocation["Event"], invocation["Query"], sum(invocation["Arguments"])]
