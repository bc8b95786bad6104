# cfn-lint's command line, run again for each line of standard input (a JSON
# list of its arguments) in this one process, so that cfn-lint's imports and
# rules are loaded once. The first line of standard output is
# {"ready": cfn-lint's version} (nothing if cfn-lint cannot be imported);
# then each answer is one line: {"code": the exit code cfn-lint gives,
# "output": what it printed}, or code -1 and the traceback when it raised.
import contextlib
import io
import json
import os
import sys
import tempfile
import traceback

try:
    from cfnlint.runner import main
    from cfnlint.version import __version__
except ImportError:
    sys.exit(0)

# Each run builds its rules from cfn-lint's rules folder: about 0.5 s of CPU
# (300 rule objects, the JSON data they read). One cfn-lint run over many
# templates builds them once and runs the same rule objects on each template
# (Rules.run configures and initializes every rule per template); so does this
# worker over its runs: each run gets a new collection of the rule objects
# built at the first one. The command line, given every template at once,
# would do the same. This holds because every run has the same rule set (the
# linters pass the same arguments, no --append-rules or custom rules): rules
# wire their child rules at each run, and keep per-template state only until
# their initialize(), which each run calls for each template.
# (Where a cfn-lint version lacks this method, each run builds its own rules.)
try:
    from cfnlint.rules import _rules

    _create_from_directory = _rules.Rules.create_from_directory.__func__
except (ImportError, AttributeError):
    _create_from_directory = None
_built = {}


def _rules_built_once(cls, rulesdir):
    if rulesdir not in _built:
        _built[rulesdir] = _create_from_directory(cls, rulesdir)
    return cls(dict(_built[rulesdir].data))


if _create_from_directory is not None:
    _rules.Rules.create_from_directory = classmethod(_rules_built_once)


def _run(argv):
    """Runs cfn-lint's command line with argv; returns its exit code and what it printed."""
    sys.argv = ["cfn-lint"] + argv
    printed = io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            main()
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:  # sys.exit("message"): Python prints the message and exits with 1
            code = 1
            printed.write(str(e.code) + "\n")
    except Exception:
        code, printed = -1, io.StringIO(traceback.format_exc())
    return code, printed.getvalue()


# With KMSMONITOR_CFNLINT_TWIN=1 (the first linter of a test binary), files 3
# and 4 are the standard input and output of a twin: once a run on a small
# template has built the rules (and loaded what cfn-lint loads at its first
# run), the worker forks, and the child serves files 3 and 4 as its 0 and 1.
# The second linter of the test binary then costs a fork instead of a new
# Python process that imports cfn-lint and builds its rules again (about 2 s
# of CPU). Each one answers as this worker does: the same rule objects, a new
# collection of them per run.
if os.environ.get("KMSMONITOR_CFNLINT_TWIN") == "1":
    with tempfile.TemporaryDirectory() as warm:
        path = os.path.join(warm, "warm.json")
        with open(path, "w") as f:
            json.dump({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}, f)
        _run(["--format", "parseable", "--", path])
    try:
        child = os.fork()
    except OSError:
        child = -1
    if child == 0:
        os.dup2(3, 0)
        os.dup2(4, 1)
    os.close(3)  # the parent, or the twin now that 0 and 1 are its own; a failed fork closes
    os.close(4)  # them too, so that the second linter reads the end of the twin's output
print(json.dumps({"ready": __version__}), flush=True)

for line in sys.stdin:
    if not line.strip():
        continue
    code, output = _run(json.loads(line))
    sys.__stdout__.write(json.dumps({"code": code, "output": output}) + "\n")
    sys.__stdout__.flush()
