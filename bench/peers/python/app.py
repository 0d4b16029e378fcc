"""The parity handler for awslambdaric, the same function as handlers/functions.fn."""


def handler(event, context):
    return {"parity": "even" if int(event["number"]) % 2 == 0 else "odd"}


def size(event, context):
    return {"n": len(event)}
