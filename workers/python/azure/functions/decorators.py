"""The Python programming model v2 of `azure.functions`, for Switchboard's Python worker: `FunctionApp` and
`Blueprint` with the decorators that declare a function's trigger and bindings in `function_app.py`
(`@app.route`, `@app.function_name`, `@app.generic_trigger`, `@app.generic_input_binding`,
`@app.generic_output_binding`), instead of function.json files.

A decorator returns the function unchanged and records the binding against it; `FunctionApp.get_functions()`
gives each function's name, code and bindings (the function.json it stands for), after checking what Azure's
worker checks at indexing. Errors name the file and line of the decorator and the function.
"""

import enum
import inspect
import sys


class AuthLevel(str, enum.Enum):
    FUNCTION = "function"
    ANONYMOUS = "anonymous"
    ADMIN = "admin"

    def __str__(self) -> str:
        return self.value


class HttpMethod(str, enum.Enum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"
    TRACE = "TRACE"
    CONNECT = "CONNECT"

    def __str__(self) -> str:
        return self.value


class DataType(str, enum.Enum):
    UNDEFINED = "undefined"
    STRING = "string"
    BINARY = "binary"
    STREAM = "stream"

    def __str__(self) -> str:
        return self.value


class FunctionRegistrationError(ValueError):
    """A mistake in the decorators of function_app.py (the message names the file, line and function)."""


def _plain(value):
    """Enum members as their values (AuthLevel.ANONYMOUS -> "anonymous"), lists element by element."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _camel(key: str) -> str:
    """hub_name -> hubName (as Azure's library writes binding fields); camelCase keys stay as they are."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _caller_source():
    """file:line of the code that applied a decorator (the first frame outside this module)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class _Builder:
    """What the decorators of one Python function declared."""

    def __init__(self, fn, source):
        self.fn = fn
        self.source = source  # file:line of the first decorator applied (the lowest one)
        self.name = None
        self.trigger = None
        self.bindings = []  # inputs and outputs, in the order they were applied

    @property
    def function_name(self) -> str:
        return self.name or self.fn.__name__


class _DecoratorApi:
    """The decorators shared by FunctionApp and Blueprint."""

    def __init__(self, http_auth_level=AuthLevel.FUNCTION):
        self._http_auth_level = _plain(http_auth_level)
        self._builders = {}  # id(fn) -> _Builder, in the order functions were first decorated

    # -- recording ------------------------------------------------------------------------------------

    def _builder(self, fn, decorator: str, source: str) -> _Builder:
        if not (inspect.isfunction(fn) or inspect.iscoroutinefunction(fn)):
            what = getattr(fn, "__name__", None) or repr(fn)
            raise FunctionRegistrationError(
                f"{source}: @app.{decorator} decorates '{what}', which is not a function "
                f"(a {type(fn).__name__}); put it on a def"
            )
        builder = self._builders.get(id(fn))
        if builder is None:
            builder = self._builders[id(fn)] = _Builder(fn, source)
        return builder

    def _decorator(self, decorator: str, apply):
        source = _caller_source()

        def wrap(fn):
            apply(self._builder(fn, decorator, source), source)
            return fn

        return wrap

    @staticmethod
    def _binding(decorator, source, builder, arg_name, type_, direction, data_type, fields):
        if not arg_name:
            raise FunctionRegistrationError(
                f"{source}: function '{builder.function_name}': the {type_ or '?'} binding of @app.{decorator} "
                "has no arg_name (the parameter that receives it, or \"$return\")"
            )
        if not type_:
            raise FunctionRegistrationError(
                f"{source}: function '{builder.function_name}': the binding '{arg_name}' of @app.{decorator} has no type"
            )
        binding = {"type": str(_plain(type_)), "direction": direction, "name": str(arg_name)}
        if data_type is not None:
            binding["dataType"] = _plain(data_type)
        for key, value in fields.items():
            if value is not None:
                binding[_camel(key)] = _plain(value)
        return binding

    def _set_trigger(self, builder, source, decorator, binding):
        if builder.trigger is not None:
            raise FunctionRegistrationError(
                f"{source}: function '{builder.function_name}': @app.{decorator} adds a second trigger "
                f"(it already has {builder.trigger['type']}); a function has exactly one"
            )
        builder.trigger = binding

    # -- decorators -----------------------------------------------------------------------------------

    def function_name(self, name: str, **_):
        def apply(builder, source):
            if not isinstance(name, str) or not name:
                raise FunctionRegistrationError(f"{source}: @app.function_name needs a non-empty name")
            builder.name = name

        return self._decorator("function_name", apply)

    def route(self, route=None, trigger_arg_name="req", binding_arg_name="$return", methods=None,
              auth_level=None, trigger_extra_fields=None, binding_extra_fields=None):
        def apply(builder, source):
            fields = dict(trigger_extra_fields or {})
            fields["authLevel"] = _plain(auth_level) if auth_level is not None else self._http_auth_level
            if methods is not None:
                fields["methods"] = [str(_plain(m)) for m in ([methods] if isinstance(methods, str) else methods)]
            if route is not None:
                fields["route"] = route
            trigger = self._binding("route", source, builder, trigger_arg_name, "httpTrigger", "in", None, fields)
            self._set_trigger(builder, source, "route", trigger)
            output = self._binding("route", source, builder, binding_arg_name, "http", "out", None,
                                   dict(binding_extra_fields or {}))
            builder.bindings.append(output)

        return self._decorator("route", apply)

    def generic_trigger(self, arg_name=None, type=None, data_type=None, **kwargs):  # noqa: A002
        def apply(builder, source):
            binding = self._binding("generic_trigger", source, builder, arg_name, type, "in", data_type, kwargs)
            self._set_trigger(builder, source, "generic_trigger", binding)

        return self._decorator("generic_trigger", apply)

    def generic_input_binding(self, arg_name=None, type=None, data_type=None, **kwargs):  # noqa: A002
        def apply(builder, source):
            builder.bindings.append(
                self._binding("generic_input_binding", source, builder, arg_name, type, "in", data_type, kwargs))

        return self._decorator("generic_input_binding", apply)

    def generic_output_binding(self, arg_name=None, type=None, data_type=None, **kwargs):  # noqa: A002
        def apply(builder, source):
            builder.bindings.append(
                self._binding("generic_output_binding", source, builder, arg_name, type, "out", data_type, kwargs))

        return self._decorator("generic_output_binding", apply)


class Blueprint(_DecoratorApi):
    """Functions declared apart from the app, added with app.register_functions(bp)."""


class FunctionApp(_DecoratorApi):
    """The app of function_app.py: `app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)`."""

    def register_functions(self, blueprint) -> None:
        if not isinstance(blueprint, _DecoratorApi):
            raise FunctionRegistrationError(
                f"{_caller_source()}: register_functions takes a Blueprint, not {type(blueprint).__name__}")
        for key, builder in blueprint._builders.items():
            self._builders.setdefault(key, builder)

    register_blueprint = register_functions

    def get_functions(self):
        """[(name, fn, bindings, source)] of every decorated function, checked: one trigger each, a unique
        name, unique binding names."""
        result = []
        seen = {}
        for builder in self._builders.values():
            name = builder.function_name
            where = f"{builder.source}: function '{name}'"
            if builder.trigger is None:
                raise FunctionRegistrationError(
                    f"{where} has no trigger (@app.route or @app.generic_trigger)")
            other = seen.get(name.lower())
            if other is not None:
                raise FunctionRegistrationError(
                    f"{where} is registered twice (also at {other}); change @app.function_name or the def's name")
            seen[name.lower()] = builder.source
            bindings = [builder.trigger] + list(builder.bindings)
            names = set()
            for b in bindings:
                if b["name"].lower() in names:
                    raise FunctionRegistrationError(f"{where}: two bindings are named '{b['name']}'")
                names.add(b["name"].lower())
            result.append((name, builder.fn, bindings, builder.source))
        return result
