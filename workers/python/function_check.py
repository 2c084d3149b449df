"""The checks the Python worker makes between a function's parameters and its bindings (function.json's, or
those the decorators of function_app.py declared), with the messages of Azure's Python worker.

check_function(name, fn, bindings) -> (params, annotations, wants_context), or FunctionLoadError: a parameter
with no binding, a binding with no parameter, an "out" binding whose annotation is not func.Out (or the
reverse), an "inout" binding, a "$return" binding that is not "out".
"""

import inspect
import typing


class FunctionLoadError(RuntimeError):
    def __init__(self, function_name: str, msg: str) -> None:
        super().__init__(f"cannot load the {function_name} function: {msg}")


class Binding:
    """One binding as the worker reads it (the raw function.json object, with its fields normalized)."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.name = str(raw.get("name", ""))
        self.type = str(raw.get("type", ""))
        self.type_lower = self.type.lower()
        self.direction = str(raw.get("direction", "in")).lower()
        self.data_type = str(raw.get("dataType", "")).lower()


def is_out_annotation(anno) -> bool:
    if anno is None:
        return False
    origin = typing.get_origin(anno)
    target = origin if origin is not None else anno
    return isinstance(target, type) and target.__name__ == "Out"


def check_function(name: str, fn, bindings):
    sig = inspect.signature(fn)
    params = dict(sig.parameters)
    try:
        annotations = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001  (unresolvable string annotations)
        annotations = {k: p.annotation for k, p in params.items() if p.annotation is not inspect.Parameter.empty}

    bound = {b.name: b for b in bindings if b.name != "$return"}
    for b in bindings:
        if b.direction == "inout":
            raise FunctionLoadError(name, f'"inout" bindings are not supported (binding {b.name})')
        if b.name == "$return" and b.direction != "out":
            raise FunctionLoadError(name, '"$return" binding must have direction set to "out"')
    wants_context = False
    if "context" in params and "context" not in bound:
        wants_context = True
        params.pop("context")
    missing_in_json = set(params) - set(bound)
    if missing_in_json:
        raise FunctionLoadError(
            name, f"the following parameters are declared in Python but not in function.json: {missing_in_json!r}"
        )
    missing_in_py = set(bound) - set(params)
    if missing_in_py:
        raise FunctionLoadError(
            name, f"the following parameters are declared in function.json but not in Python: {missing_in_py!r}"
        )
    for pname, b in bound.items():
        anno = annotations.get(pname)
        is_out = is_out_annotation(anno)
        if b.direction == "out" and anno is not None and not is_out:
            raise FunctionLoadError(
                name,
                f'binding {pname} is declared to have the "out" direction, '
                "but its annotation in Python is not a subclass of azure.functions.Out",
            )
        if b.direction != "out" and is_out:
            raise FunctionLoadError(
                name,
                f'binding {pname} is declared to have the "in" direction in function.json, '
                "but its annotation is azure.functions.Out in Python",
            )
    return params, annotations, wants_context
