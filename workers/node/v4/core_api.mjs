// The `@azure/functions-core` module of Switchboard's Node worker: the interface through which the real
// `@azure/functions` v4 package (installed in the app's node_modules) talks to its worker. The package calls
//
//   setProgrammingModel(model) / getProgrammingModel()   the object that turns an invocation into the
//                                                         handler's arguments and its result into outputs
//   registerFunction(metadata, callback)                  one function: {name, bindings: {name: binding}}
//   registerHook(name, callback)                          appStart, appTerminate, preInvocation,
//                                                         postInvocation, log
//   log(level, category, message)                         the package's own (system) log lines
//
// This file keeps what was registered; app_loader.mjs loads the app with this module in place, and
// invocation.mjs runs an invocation through the programming model and the hooks.

export const HOOK_NAMES = ["appStart", "appTerminate", "preInvocation", "postInvocation", "log"];

/** A registration error that names the function (the loader adds the file that made the call). */
export class RegistrationError extends Error {
  constructor(functionName, message) {
    super(functionName ? `function '${functionName}': ${message}` : message);
    this.name = "RegistrationError";
    this.functionName = functionName;
  }
}

class Disposable {
  #callback;
  constructor(callback) {
    this.#callback = callback;
  }
  dispose() {
    const callback = this.#callback;
    this.#callback = undefined;
    callback?.();
  }
}

/**
 * A fresh core: `api` is what `require("@azure/functions-core")` returns; the rest is the worker's view.
 * `currentFile()` names the file being loaded (for the errors and for each function's record).
 */
export function createCore({ workerVersion, currentFile = () => undefined, systemLog = () => {} } = {}) {
  const functions = new Map(); // name -> {metadata, callback, file}
  const hooks = Object.fromEntries(HOOK_NAMES.map((n) => [n, []]));
  let programmingModel;

  function registerFunction(metadata, callback) {
    const name = metadata?.name;
    if (typeof name !== "string" || name === "") throw new RegistrationError(undefined, "a function needs a name (metadata.name)");
    if (typeof callback !== "function") throw new RegistrationError(name, "its handler is not a function");
    if (!metadata.bindings || typeof metadata.bindings !== "object") throw new RegistrationError(name, "it has no bindings");
    const lowered = name.toLowerCase();
    for (const [other, entry] of functions) {
      if (other.toLowerCase() === lowered)
        throw new RegistrationError(name, `registered twice (first in ${entry.file ?? "the app"})`);
    }
    let triggers = 0;
    for (const [bindingName, binding] of Object.entries(metadata.bindings)) {
      if (!binding || typeof binding.type !== "string" || binding.type === "")
        throw new RegistrationError(name, `the binding '${bindingName}' has no type`);
      if (/trigger$/i.test(binding.type)) ++triggers;
    }
    if (triggers !== 1) throw new RegistrationError(name, `it needs exactly one trigger binding (it has ${triggers})`);
    functions.set(name, { metadata, callback, file: currentFile() });
    return new Disposable(() => functions.delete(name));
  }

  function registerHook(hookName, callback) {
    if (!HOOK_NAMES.includes(hookName)) {
      // A RangeError, as the package expects from a worker that lacks a hook (it then names the version).
      const e = new RangeError(`unknown hook '${hookName}' (known: ${HOOK_NAMES.join(", ")})`);
      e.isAzureFunctionsSystemError = true;
      throw e;
    }
    if (typeof callback !== "function") throw new TypeError(`the ${hookName} hook's callback is not a function`);
    const list = hooks[hookName];
    const entry = { callback };
    list.push(entry);
    return new Disposable(() => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    });
  }

  const api = {
    version: workerVersion,
    hostVersion: "4.0.0-switchboard",
    registerFunction,
    registerHook,
    setProgrammingModel(model) {
      programmingModel = model;
    },
    getProgrammingModel() {
      return programmingModel;
    },
    log(level, category, message) {
      systemLog(level, category, message);
    },
    Disposable,
  };

  return {
    api,
    functions,
    hooks,
    programmingModel: () => programmingModel,
  };
}

/** Runs the callbacks of one hook in order (each awaited; a throw stops the rest, as in Azure). */
export async function runHooks(core, hookName, context) {
  for (const { callback } of [...core.hooks[hookName]]) await callback(context);
}
