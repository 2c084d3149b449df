"""Switchboard's Python language worker: runs function.json apps written for the Azure Functions Python
programming model v1 (`def main(req: func.HttpRequest, ...) -> func.HttpResponse` in `__init__.py`).

The functions host starts it as `python3 workers/python/worker.py` with the app root as working directory
and speaks the custom-handler protocol to it (docs/design.md, "Functions host"):

    every request          must carry the x-switchboard-worker-secret header; else 403 and nothing runs
                           (with x-switchboard-worker-proof when it carried x-switchboard-worker-challenge)
    GET  /                 readiness probe (the host's, without the secret: 403 with the proof)
    POST /<FunctionName>   {"Data": {binding: value}, "Metadata": {...}}
                           -> 200 {"Outputs": {binding: value}, "ReturnValue": value|null, "Logs": [...]}
                           -> 500 {"error": "<Exception type>: <message>", "message": "<message>"} when the
                              function fails

Environment: FUNCTIONS_CUSTOMHANDLER_PORT (listen on 127.0.0.1), FUNCTIONS_APP_ROOT_PATH (the app root),
SWITCHBOARD_WORKER_SECRET (the secret the host sends; removed from os.environ at start, so function code
does not see it), plus the app settings. Standard library only; `azure.functions` is provided next to this
file.

Bodies: a request Body with "BodyEncoding": "base64" (binary content types, bytes that are not UTF-8) is
decoded, so req.get_body() returns the exact bytes; an HTTP response body (func.HttpResponse, bytes) is sent
back as base64 with "bodyEncoding": "base64", so the client gets the exact bytes.

Parameters are bound by name to function.json bindings, as the real worker does: the httpTrigger ->
func.HttpRequest; an input binding -> its value (a JSON string when annotated `str`, else the decoded JSON);
an "out" binding -> func.Out (its value is sent after the call); a parameter named `context` ->
func.Context; `$return` <- the return value. A signalRTrigger parameter is the InvocationContext as a JSON
string (a dict when annotated `dict`), and such a function's return value is the invocation's result. A mismatch between the parameters and function.json fails
every invocation with the real worker's FunctionLoadError message. `async def main` is supported.
logging.* calls made during an invocation go to the host log with the invocation's lines.

The code of a function runs in a module whose globals already hold `func` (azure.functions), `json` and
`logging`, so the documentation's snippets, which leave their imports out, run as they are printed.

Model v2: when the app root has function_app.py, it is imported at start (function_app_loader.py) and the
functions its decorators declared run here by name, with the same parameter binding as above.
"""

import asyncio
import base64
import hashlib
import hmac
import inspect
import json
import logging
import os
import sys
import threading
import traceback
import typing
import importlib.util
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

sys.dont_write_bytecode = True  # never write __pycache__ into the app or the worker folder
WORKER_DIR = os.path.dirname(os.path.abspath(__file__))
APP_ROOT = os.path.abspath(os.environ.get("FUNCTIONS_APP_ROOT_PATH") or os.getcwd())
sys.path.insert(0, WORKER_DIR)
for extra in (APP_ROOT, os.path.join(APP_ROOT, ".python_packages", "lib", "site-packages")):
    if os.path.isdir(extra) and extra not in sys.path:
        sys.path.insert(1, extra)

import azure.functions as func  # noqa: E402  (ours, from WORKER_DIR)
from function_check import Binding as _Binding, FunctionLoadError, check_function  # noqa: E402
from function_app_loader import load_function_app  # noqa: E402

# Only the host may call this worker: it sends the secret it gave us, on every request.
SECRET_HEADER = "x-switchboard-worker-secret"
_WORKER_SECRET = os.environ.pop("SWITCHBOARD_WORKER_SECRET", "")


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def _from_host(given) -> bool:
    """Whether a request's secret header is the host's (constant-time, over digests of equal length)."""
    return isinstance(given, str) and hmac.compare_digest(_digest(given), _digest(_WORKER_SECRET))


# The host's readiness probe carries no secret but a challenge; the answer proves that this process
# holds the secret (lower-case hex of HMAC-SHA256 keyed with the secret's SHA-256), so the host never
# sends the secret to another program that took the port.
CHALLENGE_HEADER = "x-switchboard-worker-challenge"
PROOF_HEADER = "x-switchboard-worker-proof"


def _proof(challenge: str) -> str:
    return hmac.new(_digest(_WORKER_SECRET), challenge.encode("utf-8", "surrogateescape"),
                    hashlib.sha256).hexdigest()

try:
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
except AttributeError:
    pass


# ---------------------------------------------------------------------------
# Logging: lines logged by an invocation's thread go to its Logs array, others to stderr.

_current = threading.local()


class _InvocationLogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001
            text = str(record.msg)
        lines = getattr(_current, "logs", None)
        if lines is not None:
            prefix = "" if record.levelno == logging.INFO else f"[{record.levelname.lower()}] "
            lines.append(prefix + text)
        else:
            sys.stderr.write(f"{record.levelname}: {text}\n")


_handler = _InvocationLogHandler()
_handler.setFormatter(logging.Formatter("%(message)s"))
_root = logging.getLogger()
_root.handlers[:] = [_handler]
_root.setLevel(logging.INFO)


# ---------------------------------------------------------------------------
# Loading functions

class _Function:
    def __init__(self, name, directory, script, fn, bindings, params, annotations, wants_context):
        self.name = name
        self.directory = directory
        self.script = script
        self.fn = fn
        self.bindings = bindings
        self.params = params
        self.annotations = annotations
        self.wants_context = wants_context
        self.is_async = inspect.iscoroutinefunction(fn)


_functions: typing.Dict[str, _Function] = {}
_load_lock = threading.Lock()


def _ensure_package(name: str, directory: str) -> None:
    if name in sys.modules:
        return
    module = types.ModuleType(name)
    module.__path__ = [directory]
    module.__package__ = name
    sys.modules[name] = module


def _import_script(name: str, directory: str, script: str) -> types.ModuleType:
    _ensure_package("__app__", APP_ROOT)
    package = f"__app__.{name}"
    if os.path.basename(script) == "__init__.py":
        module_name = package
        spec = importlib.util.spec_from_file_location(module_name, script, submodule_search_locations=[directory])
    else:
        _ensure_package(package, directory)
        module_name = f"{package}.{os.path.splitext(os.path.basename(script))[0]}"
        spec = importlib.util.spec_from_file_location(module_name, script)
    if spec is None or spec.loader is None:
        raise FunctionLoadError(name, f"cannot import {script}")
    module = importlib.util.module_from_spec(spec)
    # The documentation's snippets use these without importing them.
    module.__dict__.setdefault("func", func)
    module.__dict__.setdefault("json", json)
    module.__dict__.setdefault("logging", logging)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


# Model v2: the functions function_app.py declared (name -> LoadedFunction), loaded by main(); a failure
# is the error of every invocation of a function without a function.json (the host reported it at start).
_app_functions: typing.Dict[str, typing.Any] = {}
_app_load_error: typing.Optional[BaseException] = None


def _load(name: str) -> _Function:
    cached = _functions.get(name)
    if cached is not None:
        return cached
    with _load_lock:
        cached = _functions.get(name)
        if cached is not None:
            return cached
        declared = _app_functions.get(name)
        if declared is not None:
            bindings = [_Binding(b) for b in declared.bindings]
            params, annotations, wants_context = check_function(name, declared.fn, bindings)
            loaded = _Function(name, APP_ROOT, declared.script, declared.fn, bindings, params, annotations,
                               wants_context)
            _functions[name] = loaded
            return loaded
        directory = os.path.join(APP_ROOT, name)
        meta_file = os.path.join(directory, "function.json")
        if _app_load_error is not None and not os.path.isfile(meta_file):
            raise FunctionLoadError(name, str(_app_load_error))
        try:
            with open(meta_file, encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError) as e:
            raise FunctionLoadError(name, f"{meta_file}: {e}") from None
        bindings = [_Binding(b) for b in meta.get("bindings", []) if isinstance(b, dict)]
        script = os.path.join(directory, meta.get("scriptFile") or "__init__.py")
        script = os.path.normpath(script)
        if not os.path.isfile(script):
            raise FunctionLoadError(name, f"the script file {script} does not exist")
        entry = meta.get("entryPoint") or "main"
        try:
            module = _import_script(name, directory, script)
        except FunctionLoadError:
            raise
        except BaseException as e:  # noqa: BLE001
            raise FunctionLoadError(name, f"{script}: {type(e).__name__}: {e}") from e
        fn = getattr(module, entry, None)
        if not callable(fn):
            raise FunctionLoadError(
                name,
                f'function {entry} is not a callable in {script}'
                + ("" if meta.get("entryPoint") else ' (set "entryPoint" in function.json to use another name)'),
            )

        params, annotations, wants_context = check_function(name, fn, bindings)
        loaded = _Function(name, directory, script, fn, bindings, params, annotations, wants_context)
        _functions[name] = loaded
        return loaded


# ---------------------------------------------------------------------------
# Values in and out

def _find(data: dict, key: str):
    if key in data:
        return data[key]
    for k, v in data.items():
        if k.lower() == key.lower():
            return v
    return None


def _http_request(value) -> func.HttpRequest:
    value = value or {}
    headers = {}
    for k, v in (_find(value, "Headers") or {}).items():
        headers[k] = ", ".join(str(x) for x in v) if isinstance(v, list) else str(v)
    body = _find(value, "Body")
    base64_body = str(_find(value, "BodyEncoding") or "").lower() == "base64"
    if body is None:
        body = b""
    elif isinstance(body, str) and base64_body:
        body = base64.b64decode(body)  # bytes that JSON cannot carry as text
    elif isinstance(body, str):
        body = body.encode("utf-8")
    else:
        body = json.dumps(body).encode("utf-8")
    return func.HttpRequest(
        method=_find(value, "Method") or "GET",
        url=_find(value, "Url") or "",
        headers=headers,
        params={k: str(v) for k, v in (_find(value, "Query") or {}).items()},
        route_params={k: str(v) for k, v in (_find(value, "Params") or {}).items()},
        body=body,
    )


def _input_value(value, anno, binding: _Binding):
    if binding.type_lower == "signalrtrigger" and anno is not dict:
        # The InvocationContext as a JSON string, as Azure's samples read it:
        # invocation_json = json.loads(invocation); invocation_json["Arguments"][0]
        return json.dumps(value, separators=(",", ":"))
    wants_text = anno is str or binding.data_type == "string"
    if anno is bytes or binding.data_type == "binary":
        if isinstance(value, (dict, list)):
            return json.dumps(value, separators=(",", ":")).encode("utf-8")
        return value.encode("utf-8") if isinstance(value, str) else value
    if wants_text and value is not None and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    return value


def _body_text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _bytes_body(body: bytes) -> dict:
    """An HTTP response body of bytes, as base64 the host decodes: the client gets the exact bytes."""
    return {"body": base64.b64encode(bytes(body)).decode("ascii"), "bodyEncoding": "base64"}


def _http_output(value):
    if value is None:
        return None
    if isinstance(value, func.HttpResponse):
        headers = {k: str(v) for k, v in value.headers.items()}
        if "content-type" not in headers:
            headers["content-type"] = f"{value.mimetype}; charset={value.charset}"
        return {"statusCode": value.status_code, "headers": headers, **_bytes_body(value.get_body())}
    if isinstance(value, (bytes, bytearray)):
        return {"statusCode": 200, **_bytes_body(value)}
    if isinstance(value, str):
        return {"statusCode": 200, "headers": {"content-type": "text/plain; charset=utf-8"}, "body": value}
    return {"statusCode": 200, "body": value}


def _plain_output(value):
    """A non-http output: JSON strings (json.dumps(...)) are sent as the JSON they hold."""
    if isinstance(value, func.HttpResponse):
        value = value.get_body()
    if isinstance(value, (bytes, bytearray)):
        value = _body_text(bytes(value))
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _output(binding: _Binding, value):
    return _http_output(value) if binding.type_lower == "http" else _plain_output(value)


def _error_text(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def _invoke(name: str, payload: dict, invocation_id: str) -> dict:
    fn = _load(name)
    data = _find(payload, "Data") or {}
    kwargs = {}
    outs = {}
    for b in fn.bindings:
        if b.name == "$return":
            continue
        anno = fn.annotations.get(b.name)
        if b.direction == "out":
            out = func.Out()
            outs[b.name] = (b, out)
            kwargs[b.name] = out
        elif b.type_lower == "httptrigger":
            kwargs[b.name] = _http_request(_find(data, b.name))
        else:
            kwargs[b.name] = _input_value(_find(data, b.name), anno, b)
    if fn.wants_context:
        kwargs["context"] = func.Context(invocation_id, name, fn.directory)

    if fn.is_async:
        result = asyncio.run(fn.fn(**kwargs))
    else:
        result = fn.fn(**kwargs)
        if inspect.isawaitable(result):
            async def _await(aw):
                return await aw
            result = asyncio.run(_await(result))

    outputs = {}
    for bname, (b, out) in outs.items():
        value = out.get()
        if value is None and b.type_lower != "http":
            continue
        outputs[bname] = _output(b, value)
    return_value = None
    ret_binding = next((b for b in fn.bindings if b.name == "$return"), None)
    if ret_binding is not None:
        return_value = _output(ret_binding, result)
    elif any(b.type_lower == "signalrtrigger" for b in fn.bindings):
        # A signalRTrigger function's return value is the client's invocation result.
        return_value = _body_text(bytes(result)) if isinstance(result, (bytes, bytearray)) else result
    return {"Outputs": outputs, "ReturnValue": return_value}


# ---------------------------------------------------------------------------
# Server

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "switchboard-python-worker"
    # An answer leaves in one write (buffered, flushed once the request is handled) with Nagle off:
    # written as a head and then a body, the body waited for the host's delayed ACK (~40 ms a call).
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002  (silence the per-request access log)
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, obj) -> None:
        try:
            body = json.dumps(obj).encode("utf-8")
        except (TypeError, ValueError) as e:
            status = 500
            body = json.dumps({"error": f"TypeError: an output cannot be serialized to JSON: {e}"}).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse_unless_from_host(self) -> bool:
        """Answers 403 (and closes) a request without the host's secret; True when refused."""
        if _from_host(self.headers.get(SECRET_HEADER)):
            return False
        try:  # read (and drop) what was sent, so that the answer arrives before the close
            self._read_body()
        except (ValueError, OSError):
            pass
        self.close_connection = True
        body = json.dumps(
            {"error": f"Forbidden: only the functions host may call this worker ({SECRET_HEADER})"}
        ).encode("utf-8")
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        challenge = self.headers.get(CHALLENGE_HEADER)
        if challenge is not None:
            self.send_header(PROOF_HEADER, _proof(challenge))
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_GET(self):  # noqa: N802
        if self._refuse_unless_from_host():
            return
        self._read_body()
        self._send(200, {"worker": "python", "version": sys.version.split()[0]})

    def do_POST(self):  # noqa: N802
        if self._refuse_unless_from_host():
            return
        raw = self._read_body()
        name = unquote(self.path.split("?", 1)[0].lstrip("/"))
        if not name:
            self._send(200, {"worker": "python"})
            return
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError as e:
            self._send(400, {"error": f"BadRequest: the invocation body is not JSON: {e}"})
            return
        invocation_id = self.headers.get("X-Azure-Functions-InvocationId") or "local"
        logs = []
        _current.logs = logs
        try:
            result = _invoke(name, payload, invocation_id)
        except BaseException as e:  # noqa: BLE001
            _current.logs = None
            if isinstance(e, (KeyboardInterrupt,)):
                raise
            detail = "".join(traceback.format_exception(type(e), e, e.__traceback__))
            sys.stderr.write(f"Functions.{name} (Id={invocation_id}) failed: {detail}")
            self._send(500, {"error": _error_text(e), "message": str(e), "Logs": logs})
            return
        finally:
            _current.logs = None
        result["Logs"] = logs
        self._send(200, result)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the host went away (a timed-out call, a probe): nothing to report
        super().handle_error(request, client_address)


def main() -> None:
    if not _WORKER_SECRET:
        sys.stderr.write(
            "python worker: SWITCHBOARD_WORKER_SECRET is not set; only the functions host can start this worker\n"
        )
        sys.exit(2)
    global _app_load_error
    try:
        for declared in load_function_app(APP_ROOT) or []:
            _app_functions[declared.name] = declared
    except Exception as e:  # noqa: BLE001
        _app_load_error = e
        sys.stderr.write(f"python worker: {e}\n")
    port = int(os.environ.get("FUNCTIONS_CUSTOMHANDLER_PORT") or 0)
    try:
        server = _Server(("127.0.0.1", port), _Handler)
    except OSError as e:
        # Another program took the port after the host chose it: end at once (threads an app may have
        # started do not hold the process), and the host's next start gives another port.
        sys.stderr.write(f"python worker: cannot listen on 127.0.0.1:{port}: {e}\n")
        sys.stderr.flush()
        os._exit(1)
    print(
        f"python worker listening on 127.0.0.1:{server.server_address[1]} "
        f"(app {APP_ROOT}, Python {sys.version.split()[0]})",
        flush=True,
    )
    import signal

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
