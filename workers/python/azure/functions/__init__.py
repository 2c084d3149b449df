"""A standard-library subset of the `azure.functions` package, for Switchboard's Python worker.

It provides what function.json apps written for the Azure Functions Python programming model v1 use:
HttpRequest, HttpResponse, Out[T], Context and the typing names (`func.HttpRequest`, `func.Out[str]`, ...),
and the decorators of the model v2 (`func.FunctionApp`, `func.Blueprint`, `func.AuthLevel`, ...), which live in
decorators.py.
"""

import json as _json
import typing as _typing
from urllib.parse import parse_qsl as _parse_qsl, urlsplit as _urlsplit

__all__ = [
    "Context",
    "HttpRequest",
    "HttpResponse",
    "Out",
    "FunctionApp",
    "Blueprint",
    "AuthLevel",
    "HttpMethod",
    "DataType",
]

__version__ = "1.0.0-switchboard"

from .decorators import AuthLevel, Blueprint, DataType, FunctionApp, HttpMethod  # noqa: E402,F401

T = _typing.TypeVar("T")


class Out(_typing.Generic[T]):
    """An output binding: the function sets its value with set()."""

    def __init__(self) -> None:
        self.__value = None
        self.__is_set = False

    def set(self, val: T) -> None:
        self.__value = val
        self.__is_set = True

    def get(self) -> T:
        return self.__value

    @property
    def is_set(self) -> bool:
        return self.__is_set

    def __repr__(self) -> str:
        return f"<azure.functions.Out {self.__value!r}>"


class _CaseInsensitiveDict(dict):
    """A dict whose keys are compared case-insensitively (stored lower-cased)."""

    def __init__(self, items=None):
        super().__init__()
        for k, v in dict(items or {}).items():
            self[k] = v

    def __setitem__(self, key, value):
        super().__setitem__(str(key).lower(), value)

    def __getitem__(self, key):
        return super().__getitem__(str(key).lower())

    def __delitem__(self, key):
        super().__delitem__(str(key).lower())

    def __contains__(self, key):
        return super().__contains__(str(key).lower())

    def get(self, key, default=None):
        return super().get(str(key).lower(), default)

    def pop(self, key, *args):
        return super().pop(str(key).lower(), *args)

    def setdefault(self, key, default=None):
        return super().setdefault(str(key).lower(), default)

    def update(self, other=(), **kw):
        for k, v in dict(other, **kw).items():
            self[k] = v


class HttpRequestHeaders(_CaseInsensitiveDict):
    pass


class HttpResponseHeaders(_CaseInsensitiveDict):
    pass


class HttpRequest:
    """An HTTP request (the httpTrigger's value)."""

    def __init__(self, method: str, url: str, *, headers=None, params=None, route_params=None, body: bytes = b""):
        self.__method = (method or "GET").upper()
        self.__url = url
        self.__headers = HttpRequestHeaders(headers or {})
        if params is None:
            params = dict(_parse_qsl(_urlsplit(url or "").query, keep_blank_values=True))
        self.__params = dict(params)
        self.__route_params = dict(route_params or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.__body = body or b""

    @property
    def method(self) -> str:
        return self.__method

    @property
    def url(self) -> str:
        return self.__url

    @property
    def headers(self) -> _typing.Mapping[str, str]:
        return self.__headers

    @property
    def params(self) -> _typing.Mapping[str, str]:
        return self.__params

    @property
    def route_params(self) -> _typing.Mapping[str, str]:
        return self.__route_params

    @property
    def form(self):
        ctype = self.__headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in ctype:
            return dict(_parse_qsl(self.__body.decode("utf-8"), keep_blank_values=True))
        return {}

    @property
    def files(self):
        return {}

    def get_body(self) -> bytes:
        return self.__body

    def get_json(self) -> _typing.Any:
        try:
            return _json.loads(self.__body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            # json.JSONDecodeError and UnicodeDecodeError are both ValueErrors.
            raise ValueError(f"HTTP request does not contain valid JSON data: {e}") from None

    def __repr__(self) -> str:
        return f"<azure.functions.HttpRequest {self.__method} {self.__url}>"


class HttpResponse:
    """An HTTP response (the value of an http output binding)."""

    def __init__(self, body=None, *, status_code=None, headers=None, mimetype=None, charset=None):
        self.__status_code = 200 if status_code is None else int(status_code)
        self.__mimetype = mimetype or "text/plain"
        self.__charset = charset or "utf-8"
        self.__headers = HttpResponseHeaders(headers or {})
        self.__body = b""
        if body is not None:
            self.__set_body(body)

    def __set_body(self, body):
        if isinstance(body, str):
            body = body.encode(self.__charset)
        if not isinstance(body, (bytes, bytearray)):
            raise TypeError(f"response is expected to be either of str, bytes, or bytearray, got {type(body).__name__}")
        self.__body = bytes(body)

    @property
    def mimetype(self):
        return self.__mimetype

    @property
    def charset(self):
        return self.__charset

    @property
    def headers(self):
        return self.__headers

    @property
    def status_code(self):
        return self.__status_code

    def get_body(self) -> bytes:
        return self.__body

    def __repr__(self) -> str:
        return f"<azure.functions.HttpResponse {self.__status_code}>"


class TraceContext:
    def __init__(self, trace_parent=None, trace_state=None, attributes=None):
        self.trace_parent = trace_parent
        self.trace_state = trace_state
        self.attributes = attributes or {}


class RetryContext:
    def __init__(self, retry_count=0, max_retry_count=0, exception=None):
        self.retry_count = retry_count
        self.max_retry_count = max_retry_count
        self.exception = exception


class Context:
    """The invocation context (a parameter named `context`)."""

    def __init__(self, invocation_id: str, function_name: str, function_directory: str):
        self.__invocation_id = invocation_id
        self.__function_name = function_name
        self.__function_directory = function_directory
        self.__trace_context = TraceContext()
        self.__retry_context = RetryContext()

    @property
    def invocation_id(self) -> str:
        return self.__invocation_id

    @property
    def function_name(self) -> str:
        return self.__function_name

    @property
    def function_directory(self) -> str:
        return self.__function_directory

    @property
    def trace_context(self):
        return self.__trace_context

    @property
    def retry_context(self):
        return self.__retry_context

    @property
    def thread_local_storage(self):
        return None
