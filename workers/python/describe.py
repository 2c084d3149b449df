"""Describe mode of Switchboard's Python worker, run by the functions host once at start
(PythonWorker::discover):

    python3 workers/python/describe.py OUT_FILE      (working directory: the app root)

imports a Python model v2 app (function_app.py with `app = func.FunctionApp()` and decorators; see
function_app_loader.py) and writes to OUT_FILE, as JSON, either
    {"functions": {"<name>": <the function.json it stands for: bindings, scriptFile, entryPoint>}}
or {"error": "<file>:<line>: <what is wrong, naming the function>"}. An app without function_app.py has no
functions here. Only the module's top-level code runs, with local.settings.json's Values in the environment
as the worker will have them; its own output goes to stdout/stderr.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
WORKER_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, WORKER_DIR)
APP_ROOT = os.path.abspath(os.environ.get("FUNCTIONS_APP_ROOT_PATH") or os.getcwd())
for extra in (os.path.join(APP_ROOT, ".python_packages", "lib", "site-packages"),):
    if os.path.isdir(extra):
        sys.path.insert(1, extra)

from function_app_loader import AppLoadError, load_function_app  # noqa: E402


def _apply_settings() -> None:
    """The app settings the worker will have (local.settings.json's Values; the environment wins, as in the
    host), so that top-level code reading os.environ declares the same functions here."""
    try:
        with open(os.path.join(APP_ROOT, "local.settings.json"), encoding="utf-8") as f:
            values = json.load(f).get("Values") or {}
    except (OSError, ValueError, AttributeError):
        return  # no such file, or one the host reports itself
    for key, value in values.items():
        if key not in os.environ and value is not None and not isinstance(value, (dict, list)):
            os.environ[key] = value if isinstance(value, str) else json.dumps(value)


def main() -> int:
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python3 describe.py OUT_FILE (in the app's root directory)\n")
        return 2
    _apply_settings()
    try:
        functions = {}
        for f in load_function_app(APP_ROOT) or []:
            functions[f.name] = {
                "bindings": f.bindings,
                "scriptFile": os.path.relpath(f.script, APP_ROOT),
                "entryPoint": f.fn.__name__,
            }
        result = {"functions": functions}
    except AppLoadError as e:
        result = {"error": str(e)}
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
    sys.stdout.flush()
    os._exit(0)  # threads the app started must not keep the host waiting


if __name__ == "__main__":
    sys.exit(main())
