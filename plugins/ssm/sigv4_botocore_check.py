#!/usr/bin/python3
"""Signs each request of a JSON-lines file with botocore's SigV4Auth at the request's own date and
compares the Authorization header with the one boxtool computed ("authorization").
Prints one line per mismatch (with botocore's canonical request) and exits 1 if there was any."""

import base64
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def botocore_sign(case):
    url = "https://" + dict((k.lower(), v) for k, v in case["headers"])["host"] + case["path"]
    if case["query"]:
        url += "?" + case["query"]
    request = AWSRequest(method=case["method"], url=url, data=base64.b64decode(case["body_b64"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # repeats are kept, as on the wire
    request.context["timestamp"] = case["date"]
    auth = SigV4Auth(Credentials(case["key"], case["secret"], case["token"] or None), case["service"], case["region"])
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    auth._inject_signature_to_request(request, auth.signature(auth.string_to_sign(request, canonical), request))
    return request.headers["Authorization"], canonical


def main():
    cases = mismatches = 0
    with open(sys.argv[1]) as f:
        for line in f:
            case = json.loads(line)
            cases += 1
            expected, canonical = botocore_sign(case)
            if expected != case["authorization"]:
                mismatches += 1
                print(json.dumps({"case": case["index"], "botocore": expected, "boxtool": case["authorization"],
                                  "botocore_canonical": canonical}))
    print(f"checked {cases} requests, {mismatches} mismatches")
    sys.exit(1 if mismatches or not cases else 0)


if __name__ == "__main__":
    main()
