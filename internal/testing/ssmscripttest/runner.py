# Runs the script of an aws:executeScript step (Python), or a whole Automation
# document (execute: its steps, branches, onFailure, maxAttempts), the way Systems
# Manager Automation does, on scenarios read as one JSON list from standard
# input, and writes one JSON list of results. Each scenario's AWS calls are
# answered by botocore.stub.Stubber on real botocore clients: botocore checks
# every request and every answer against the AWS API model, and hands
# timestamps back as datetime objects, as boto3 does in the runtime.
import builtins
import contextlib
import io
import json
import re
import sys
import time
import traceback
from datetime import datetime

try:
    import boto3
    import botocore
    from botocore.exceptions import UnStubbedResponseError
    from botocore.stub import ANY, Stubber
except ImportError:
    sys.exit(3)  # ssmscripttest.ErrUnavailable

# One session for every scenario: its loader reads each service's API model
# once (a new session per scenario read them again, about 0.2 s each); each
# scenario still gets new clients and stubbers.
SESSION = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")

TIMESTAMPS = {"Timestamp", "TrackingStartDate", "KeyCreationDate", "CreationDate", "DeletionDate", "ValidTo", "EventTime"}


def expected(v):
    """An expected request: "<ANY>" stands for any value of that member (botocore.stub.ANY)."""
    if v == "<ANY>":
        return ANY
    if isinstance(v, dict):
        return {k: expected(x) for k, x in v.items()}
    if isinstance(v, list):
        return [expected(x) for x in v]
    return v


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


class Stubs:
    """botocore clients, one per service, whose calls the scenario answers in order."""

    def __init__(self, calls):
        self.session = SESSION
        self.clients, self.stubbers = {}, {}
        for call in calls or []:
            self.client(call["service"])
            stub = self.stubbers[call["service"]]
            if call.get("error"):
                err = call["error"]
                stub.add_client_error(call["operation"], service_error_code=err["code"], service_message=err.get("message", ""),
                                      http_status_code=err.get("status", 400), expected_params=expected(call.get("expect")))
            else:
                stub.add_response(call["operation"], timestamps(call.get("response") or {}), expected(call.get("expect")))

    def client(self, service, *args, **kwargs):
        """The service's client; boto3.client's arguments are checked by making a real one (a bad configuration raises)."""
        if args or kwargs:
            self.session.client(service, *args, **kwargs)
        if service not in self.clients:
            self.clients[service] = self.session.client(service)
            self.stubbers[service] = Stubber(self.clients[service])
            self.stubbers[service].activate()  # no answer left: a call fails the scenario
        return self.clients[service]

    def pending(self):
        """The answers no call asked for."""
        out = []
        for service, s in self.stubbers.items():
            try:
                s.assert_no_pending_responses()
            except AssertionError as e:
                out.append("%s: %s" % (service, e))
        return out


@contextlib.contextmanager
def runtime(client, sleep):
    """boto3.client and time.sleep as the scenario gives them to the script."""
    real = boto3.client, time.sleep
    boto3.client, time.sleep = client, sleep
    try:
        yield
    finally:
        boto3.client, time.sleep = real


def call(script, handler, payload):
    """Runs handler of script on payload as aws:executeScript does: its result."""
    namespace = {"__name__": "script"}
    exec(compile(script, "script", "exec"), namespace)
    output = namespace[handler](payload, None)
    json.dumps(output)  # the step's outputs are read from the JSON of what the handler returns
    return output


def run(script, handler, scenario):
    stubs = Stubs(scenario.get("calls"))

    def client(service, *args, **kwargs):
        c = stubs.client(service, *args, **kwargs)
        return Lacking(c, scenario["lacking"]) if scenario.get("lacking") else c

    sleeps = []
    printed = io.StringIO()
    result = {"name": scenario["name"], "sleeps": sleeps}
    try:
        with runtime(client, sleeps.append), contextlib.redirect_stdout(printed):
            result["output"] = call(script, handler, scenario["events"])
    except Exception:
        result["error"] = traceback.format_exc()
    result["pending"] = stubs.pending()
    result["printed"] = printed.getvalue()
    return result


class StepTimedOut(Exception):
    """A step ran past its timeoutSeconds."""


REF = re.compile(r"\{\{ *([\w.]+) *\}\}")


def render(v):
    """A value as Automation writes it into a string."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def resolve(v, ctx):
    """Replaces {{ Parameter }} and {{ Step.Output }}: a whole reference keeps its type."""
    if isinstance(v, str):
        whole = REF.fullmatch(v.strip())
        if whole:
            return ctx[whole.group(1)]
        return REF.sub(lambda m: render(ctx[m.group(1)]), v)
    if isinstance(v, dict):
        return {k: resolve(x, ctx) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, ctx) for x in v]
    return v


def select(answer, selector):
    """A "$.A.B" selector of an answer."""
    v = answer
    for part in selector.lstrip("$").strip(".").split("."):
        v = v[part]
    return v


def condition(c, ctx):
    if "Or" in c:
        return any(condition(x, ctx) for x in c["Or"])
    if "And" in c:
        return all(condition(x, ctx) for x in c["And"])
    if "Not" in c:
        return not condition(c["Not"], ctx)
    value = resolve(c["Variable"], ctx)
    if "StringEquals" in c:
        return render(value) == c["StringEquals"]
    if "BooleanEquals" in c:
        return str(value).lower() == str(c["BooleanEquals"]).lower()
    if "NumericEquals" in c:
        return float(value) == float(c["NumericEquals"])
    raise ValueError("condition not supported by this executor: %s" % c)


def execute(content, scenario):
    """Runs an Automation document (schemaVersion 0.3) with its AWS calls
    answered by the scenario: the steps taken, each with its outcome, and
    the SNS messages published."""
    stubs = Stubs(scenario.get("calls"))
    client = stubs.client
    ctx = {}
    for name, p in (content.get("parameters") or {}).items():
        if name in scenario["events"]:
            ctx[name] = scenario["events"][name]
        elif "default" in p:
            ctx[name] = p["default"]
    steps = content["mainSteps"]
    index = {s["name"]: i for i, s in enumerate(steps)}
    taken, published, status = [], [], "Success"
    with runtime(client, lambda seconds: None):  # aws:sleep and the script's own sleeps do not wait
        i = 0
        while i is not None and len(taken) < 100:
            step = steps[i]
            name, action = step["name"], step["action"]
            inputs = resolve(step.get("inputs") or {}, ctx)
            outcome, goto = "Success", None
            value = None  # the last value a wait step read, kept across attempts
            for attempt in range(int(step.get("maxAttempts", 1))):
                try:
                    if action == "aws:executeAwsApi":
                        params = {k: v for k, v in inputs.items() if k not in ("Service", "Api")}
                        answer = getattr(client(inputs["Service"].lower()), botocore.xform_name(inputs["Api"]))(**params)
                        if inputs["Service"].lower() == "sns" and inputs["Api"] == "Publish":
                            published.append({"step": name, "subject": params.get("Subject", ""), "message": params.get("Message", "")})
                        for o in step.get("outputs") or []:
                            ctx[name + "." + o["Name"]] = select(answer, o["Selector"])
                    elif action == "aws:executeScript":
                        payload = call(inputs["Script"], inputs["Handler"], inputs.get("InputPayload") or {})
                        for o in step.get("outputs") or []:
                            ctx[name + "." + o["Name"]] = select({"Payload": payload}, o["Selector"])
                    elif action in ("aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty"):
                        params = {k: v for k, v in inputs.items() if k not in ("Service", "Api", "PropertySelector", "DesiredValues")}
                        method = getattr(client(inputs["Service"].lower()), botocore.xform_name(inputs["Api"]))
                        while True:  # waiting: asks again until the value is desired
                            try:
                                value = select(method(**params), inputs["PropertySelector"])
                            except UnStubbedResponseError:
                                if value is None:
                                    raise
                                # The scenario's answers ran out with the value never desired: the
                                # step's timeoutSeconds (default 3600) passes, the step times out.
                                raise StepTimedOut("%s still %s after timeoutSeconds %s" % (
                                    inputs["PropertySelector"], value, step.get("timeoutSeconds", 3600)))
                            if render(value) in inputs["DesiredValues"]:
                                break
                            if action == "aws:assertAwsResourceProperty":
                                raise AssertionError("%s is %s" % (inputs["PropertySelector"], value))
                    elif action == "aws:branch":
                        goto = next((c["NextStep"] for c in inputs["Choices"] if condition(c, ctx)), inputs.get("Default"))
                        if goto is None:
                            raise ValueError("no choice matched and no Default")
                    elif action == "aws:sleep":
                        pass
                    else:
                        raise ValueError("action not supported by this executor: " + action)
                    outcome = "Success"
                    break
                except Exception as e:
                    outcome = "Failed: %s: %s" % (type(e).__name__, e)
            taken.append({"step": name, "outcome": outcome})
            if outcome != "Success":
                on_failure = step.get("onFailure", "Abort")
                # "Properties shared by all actions": isCritical defaults to false with
                # onFailure Continue, to true otherwise; a critical step that fails makes the
                # execution Failed, or TimedOut when it timed out, whatever step runs next.
                critical = str(step.get("isCritical", on_failure != "Continue")).lower() == "true"
                failed = "TimedOut" if outcome.startswith("Failed: StepTimedOut") else "Failed"
                if critical and status == "Success":
                    status = failed
                if on_failure == "Abort":
                    return {"taken": taken, "published": published, "status": failed, "pending": stubs.pending()}
                if on_failure == "Continue":
                    i = i + 1 if i + 1 < len(steps) else None
                    continue
                i = index[on_failure[len("step:"):]]
                continue
            if goto is not None:
                i = index[goto]
            elif step.get("isEnd"):
                i = None
            elif step.get("nextStep"):
                i = index[step["nextStep"]]
            else:
                i = i + 1 if i + 1 < len(steps) else None
    return {"taken": taken, "published": published, "status": status, "pending": stubs.pending()}


def main():
    request = json.load(sys.stdin)
    if "document" in request:
        out = {"botocore": botocore.__version__,
               "results": [dict(execute(request["document"], s), name=s["name"]) for s in request["scenarios"]]}
    else:
        out = {"botocore": botocore.__version__,
               "results": [run(request["script"], request["handler"], s) for s in request["scenarios"]]}
    json.dump(out, sys.stdout, default=str)


main()
