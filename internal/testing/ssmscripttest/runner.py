# Runs the script of an aws:executeScript step (Python) the way Systems
# Manager Automation does, on scenarios read as one JSON list from standard
# input, and writes one JSON list of results. Each scenario's AWS calls are
# answered by botocore.stub.Stubber on real botocore clients: botocore checks
# every request and every answer against the AWS API model, and hands
# timestamps back as datetime objects, as boto3 does in the runtime.
import builtins
import contextlib
import io
import json
import sys
import time
import traceback
from datetime import datetime

import boto3
import botocore
from botocore.stub import Stubber

TIMESTAMPS = {"Timestamp", "TrackingStartDate", "KeyCreationDate", "CreationDate", "DeletionDate", "ValidTo"}


def timestamps(v):
    """ISO 8601 strings under timestamp member names become datetime objects."""
    if isinstance(v, dict):
        return {k: (datetime.fromisoformat(x) if k in TIMESTAMPS and isinstance(x, str) else timestamps(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [timestamps(x) for x in v]
    return v


class Lacking:
    """A client without some operations, as an older SDK would be."""

    def __init__(self, client, lacking):
        self._client, self._lacking = client, set(lacking)

    def __getattr__(self, name):
        if name in self._lacking:
            raise AttributeError("'KMS' object has no attribute '%s'" % name)
        return getattr(self._client, name)


def run(script, handler, scenario):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    clients, stubbers = {}, {}
    for call in scenario.get("calls") or []:
        service = call["service"]
        if service not in clients:
            clients[service] = session.client(service)
            stubbers[service] = Stubber(clients[service])
        if call.get("error"):
            err = call["error"]
            stubbers[service].add_client_error(
                call["operation"], service_error_code=err["code"], service_message=err.get("message", ""),
                http_status_code=err.get("status", 400), expected_params=call.get("expect"))
        else:
            stubbers[service].add_response(call["operation"], timestamps(call.get("response") or {}), call.get("expect"))
    for s in stubbers.values():
        s.activate()

    def client(service, *args, **kwargs):
        session.client(service, *args, **kwargs)  # as boto3 would: a bad configuration raises here
        if service not in clients:
            clients[service] = session.client(service)
            stubbers[service] = Stubber(clients[service])
            stubbers[service].activate()  # no answer: any call fails the scenario
        c = clients[service]
        return Lacking(c, scenario["lacking"]) if scenario.get("lacking") else c

    sleeps = []
    real_client, real_sleep = boto3.client, time.sleep
    boto3.client, time.sleep = client, sleeps.append
    printed = io.StringIO()
    result = {"name": scenario["name"], "sleeps": sleeps}
    try:
        namespace = {"__name__": "script"}
        with contextlib.redirect_stdout(printed):
            exec(compile(script, "script", "exec"), namespace)
            output = namespace[handler](scenario["events"], None)
        result["output"] = output
        json.dumps(output)  # the step's outputs are read from the JSON of what the handler returns
    except Exception:
        result["error"] = traceback.format_exc()
    finally:
        boto3.client, time.sleep = real_client, real_sleep
    pending = []
    for service, s in stubbers.items():
        try:
            s.assert_no_pending_responses()
        except AssertionError as e:
            pending.append("%s: %s" % (service, e))
    result["pending"] = pending
    result["printed"] = printed.getvalue()
    return result


def main():
    request = json.load(sys.stdin)
    out = {"botocore": botocore.__version__,
           "results": [run(request["script"], request["handler"], s) for s in request["scenarios"]]}
    json.dump(out, sys.stdout, default=str)


main()
