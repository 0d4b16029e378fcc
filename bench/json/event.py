"""Writes an API-Gateway-shaped (REST, proxy integration) event of about SIZE bytes to PATH.

    python3 event.py PATH SIZE

The envelope is what API Gateway sends; the bulk is many headers and query parameters (object and
array parsing) and a JSON request body carried as a string (escaping). Deterministic, ASCII,
integers within 32 bits and no arrays of objects, so fn, jsonlite and Python agree on the result.
"""
import json
import sys


def event(size, n=None):
    n = n or max(1, size // 520)
    headers = {"Header-%05d" % i: "value-%d-%s" % (i, "abcdefgh" * 3) for i in range(n * 2)}
    multi = {k: [v, v.upper()] for k, v in list(headers.items())[: n]}
    query = {"q%05d" % i: "term %d" % i for i in range(n * 2)}
    body = json.dumps({"items": [{"id": i, "name": "item \"%d\"" % i, "price": i * 3 + 0.25,
                                  "tags": ["a", "b"]} for i in range(n * 3)]})
    return {
        "resource": "/items/{id}",
        "path": "/items/42",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": query,
        "pathParameters": {"id": "42"},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": "/items/{id}",
            "httpMethod": "POST",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "accountId": "123456789012",
            "stage": "prod",
            "requestTimeEpoch": 1428582896,
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "Custom User Agent String"},
            "apiId": "1234567890",
            "protocol": "HTTP/1.1",
        },
        "body": body,
        "isBase64Encoded": False,
    }


if __name__ == "__main__":
    path, size = sys.argv[1], int(sys.argv[2])
    text = json.dumps(event(size), separators=(",", ":"))
    # One correction step: the size is close to linear in n.
    text = json.dumps(event(size, max(1, round(max(1, size // 520) * size / len(text)))), separators=(",", ":"))
    with open(path, "w") as f:
        f.write(text)
