"""Loads a Python programming model v2 app: the app root's function_app.py (or the file named by the app
setting PYTHON_SCRIPT_FILE_NAME), whose `func.FunctionApp` instances declare functions with decorators.

load_function_app(app_root) -> None when there is no such file, else a list of LoadedFunction (name, the
Python function, its bindings as function.json objects, the file); raises AppLoadError naming the file (and
line, and function) for code that fails to import, a decorator mistake, no FunctionApp at the top level, a
function registered twice, or parameters that do not match the bindings.
"""

import importlib.util
import os
import sys
import traceback
import typing

import azure.functions as func
from azure.functions.decorators import FunctionRegistrationError
from function_check import Binding, FunctionLoadError, check_function


class AppLoadError(RuntimeError):
    pass


class LoadedFunction(typing.NamedTuple):
    name: str
    fn: typing.Callable
    bindings: typing.List[dict]
    script: str


def script_path(app_root: str) -> str:
    return os.path.join(app_root, os.environ.get("PYTHON_SCRIPT_FILE_NAME") or "function_app.py")


def _where_in(script: str, error: BaseException) -> str:
    """file:line of the innermost frame of `error` in `script` (or the script alone)."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename) == os.path.abspath(script):
            line = frame.lineno
    if line is None and isinstance(error, SyntaxError) and error.lineno:
        line = error.lineno
    return f"{script}:{line}" if line else script


def load_function_app(app_root: str):
    script = script_path(app_root)
    if not os.path.isfile(script):
        return None
    if app_root not in sys.path:
        sys.path.insert(0, app_root)
    module_name = os.path.splitext(os.path.basename(script))[0]
    spec = importlib.util.spec_from_file_location(module_name, script)
    if spec is None or spec.loader is None:
        raise AppLoadError(f"{script}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except FunctionRegistrationError as e:
        sys.modules.pop(module_name, None)
        raise AppLoadError(str(e)) from None
    except BaseException as e:  # noqa: BLE001  (the app's own code failed)
        sys.modules.pop(module_name, None)
        raise AppLoadError(f"{_where_in(script, e)}: {type(e).__name__}: {e}") from None

    apps = [v for v in vars(module).values() if isinstance(v, func.FunctionApp)]
    if not apps:
        raise AppLoadError(f"{script}: no FunctionApp at the top level (app = func.FunctionApp())")
    loaded = []
    seen = {}
    for app in apps:
        try:
            functions = app.get_functions()
        except FunctionRegistrationError as e:
            raise AppLoadError(str(e)) from None
        for name, fn, bindings, source in functions:
            if name.lower() in seen:
                raise AppLoadError(f"{source}: function '{name}' is registered twice (also at {seen[name.lower()]})")
            seen[name.lower()] = source
            try:
                check_function(name, fn, [Binding(b) for b in bindings])
            except FunctionLoadError as e:
                raise AppLoadError(f"{source}: function '{name}': {e}") from None
            loaded.append(LoadedFunction(name, fn, bindings, script))
    return loaded
