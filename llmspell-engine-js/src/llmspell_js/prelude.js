// llmspell JavaScript prelude: evaluated once per context, before any spell code.
//
// Host calls are requests. An API call pushes [id, op, argsJson, site] into the outbox
// and returns a Promise; the Python driver takes the outbox, answers each request and
// settles the Promise through __llmspell_settle. JavaScript never calls Python, so the
// QuickJS time limit stays on and several requests can be in flight at once.
//
// Every function here is named __llmspell_* so that error locations can skip them and
// point at the spell's own line.
(function __llmspell_prelude(G) {
  "use strict";
  const FN = "\u0000fn", HANDLE = "\u0000h", NUM = "\u0000num";
  const pending = new Map();   // request id -> [resolve, reject, callSiteError]
  // Everything for the host, in the order it happened: ["req", id, op, argsJson, site],
  // ["out", stream, text] and ["ret", callId, ok, ...] (a host -> script call returned).
  const outbox = [];
  const fns = [null];          // script functions the host may call, by id
  const fnIds = new Map();
  const protos = {};           // object type name -> prototype with methods
  const handleOf = new WeakMap();
  let nextId = 1;
  let main = null;             // [state, value] of the spell's own completion

  function __llmspell_fn_id(f) {
    let id = fnIds.get(f);
    if (id === undefined) { id = fns.length; fns.push(f); fnIds.set(f, id); }
    return id;
  }

  function __llmspell_replacer(key, value) {
    if (typeof value === "function") return { [FN]: __llmspell_fn_id(value) };
    if (typeof value === "number" && !isFinite(value)) return { [NUM]: String(value) };
    if (typeof value === "bigint") return { [NUM]: String(value) };
    if (value !== null && typeof value === "object") {
      const h = handleOf.get(value);
      if (h !== undefined) return { [HANDLE]: h };
    }
    return value;
  }

  function __llmspell_encode(value) {
    return JSON.stringify(value === undefined ? null : value, __llmspell_replacer);
  }

  function __llmspell_reviver(key, value) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      if (FN in value) return fns[value[FN]];
      if (HANDLE in value) {
        const obj = Object.create(protos[value.type] || Object.prototype);
        Object.assign(obj, value.fields || {});
        handleOf.set(obj, value[HANDLE]);
        return obj;
      }
    }
    return value;
  }

  function __llmspell_decode(text) {
    return text === undefined || text === null ? undefined : JSON.parse(text, __llmspell_reviver);
  }

  function __llmspell_error(kind, message, stack) {
    const e = new Error(message);
    e.name = kind;
    if (stack) e.llmspellStack = stack;
    return e;
  }

  // A request from a generated API function. The call site's stack is kept so that a
  // rejected request reports the spell line that made it.
  function __llmspell_request(op, args) {
    const id = nextId++;
    let argsJson;
    try {
      argsJson = JSON.stringify(args, __llmspell_replacer);
    } catch (e) {
      return Promise.reject(__llmspell_error("ValidationError", String(e && e.message || e)));
    }
    const site = new Error().stack;
    outbox.push(["req", id, op, argsJson]);
    return new Promise(function __llmspell_wait(resolve, reject) { pending.set(id, [resolve, reject, site]); });
  }

  function __llmspell_show_function(f) {
    return "[Function" + (f.name ? ": " + f.name : "") + "]";
  }

  // Printed objects are JSON, with what JSON has no form for shown as JavaScript shows it
  // (never the host's markers, and printing a function must not register it).
  function __llmspell_show(key, value) {
    if (typeof value === "function") return __llmspell_show_function(value);
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
    if (typeof value === "number" && !isFinite(value)) return String(value);
    return value;
  }

  function __llmspell_format(value) {
    if (typeof value === "string") return value;
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    if (typeof value === "function") return __llmspell_show_function(value);
    if (typeof value === "object") {
      if (value instanceof Error) return String(value);
      try { return JSON.stringify(value, __llmspell_show); } catch (e) { return String(value); }
    }
    return String(value);
  }

  function __llmspell_writer(stream, sep) {
    return function __llmspell_write(...args) {
      outbox.push(["out", stream, args.map(__llmspell_format).join(sep) + "\n"]);
    };
  }

  const bridge = {
    request: __llmspell_request,
    // Called by Python: everything queued since the last take, as one JSON text.
    take: function __llmspell_take() {
      const batch = { events: outbox.splice(0) };
      if (main !== null) { batch.main = main; main = null; }
      return JSON.stringify(batch);
    },
    settle: function __llmspell_settle(id, ok, payload, kind) {
      const p = pending.get(id);
      if (p === undefined) return;
      pending.delete(id);
      if (ok) p[0](__llmspell_decode(payload));
      else p[1](__llmspell_error(kind, payload, p[2]));
    },
    // The host calls a script function: run it, await its result, queue the return.
    invoke: function __llmspell_invoke(callId, fnId, argsJson) {
      const f = fns[fnId];
      Promise.resolve()
        .then(function __llmspell_apply() { return f(...__llmspell_decode(argsJson)); })
        .then(
          function __llmspell_done(v) {
            let text;
            try { text = __llmspell_encode(v); } catch (e) { outbox.push(["ret", callId, false, "ValidationError", String(e.message), ""]); return; }
            outbox.push(["ret", callId, true, text]);
          },
          function __llmspell_fail(e) {
            // a thrown non-Error value has no name ("" tells the host; null may be QuickJS
            // out of memory)
            if (e instanceof Error) outbox.push(["ret", callId, false, e.name, String(e.message), String(e.stack || "")]);
            else outbox.push(["ret", callId, false, "", __llmspell_format(e), ""]);
          });
    },
    watch: function __llmspell_watch(value) {
      Promise.resolve(value).then(
        function __llmspell_finished(v) {
          try { main = ["ok", __llmspell_encode(v)]; }
          catch (e) { main = ["ok", JSON.stringify(String(v))]; }
        },
        function __llmspell_failed(e) {
          if (e instanceof Error) main = ["error", e.name, String(e.message), String(e.stack || ""), String(e.llmspellStack || "")];
          else main = ["error", "", __llmspell_format(e), "", ""];
        });
    },
    // Builders (Agent.builder()): setters collect fields and return the builder; build()
    // sends them in one request.
    builder: function __llmspell_builder(setters, op, appenders, presets) {
      const proto = {
        build: function __llmspell_build() { return __llmspell_request(op, [this.__fields]); },
      };
      for (const setter of Object.keys(setters)) {
        const fieldName = setters[setter];
        proto[setter] = function __llmspell_set(value) { this.__fields[fieldName] = value; return this; };
      }
      for (const setter of Object.keys(appenders || {})) {
        const fieldName = appenders[setter];
        proto[setter] = function __llmspell_add(value) {
          (this.__fields[fieldName] = this.__fields[fieldName] || []).push(value);
          return this;
        };
      }
      for (const setter of Object.keys(presets || {})) {
        const [fieldName, value] = presets[setter];
        proto[setter] = function __llmspell_preset() { this.__fields[fieldName] = value; return this; };
      }
      return function __llmspell_new_builder() {
        const b = Object.create(proto);
        Object.defineProperty(b, "__fields", { value: {}, enumerable: false });
        return b;
      };
    },
    objectType: function __llmspell_object_type(name, methods, iterator) {
      const proto = {};
      for (const m of methods) {
        const [methodName, op] = m;
        proto[methodName] = function __llmspell_method(...args) {
          const h = handleOf.get(this);
          if (h === undefined) {
            return Promise.reject(__llmspell_error("ValidationError",
              "call " + name + " methods on the object (obj." + methodName + "(...))"));
          }
          return __llmspell_request(op, [{ [HANDLE]: h }, ...args]);
        };
      }
      if (iterator) {
        // iterable with `for await (const item of obj)`: next() until it answers null
        proto[Symbol.asyncIterator] = function __llmspell_iterate() {
          const self = this;
          return {
            next: function __llmspell_next() {
              return self[iterator]().then(function __llmspell_item(v) {
                return v === null || v === undefined ? { value: undefined, done: true } : { value: v, done: false };
              });
            },
          };
        };
      }
      protos[name] = proto;
    },
    api: function __llmspell_api(op) {
      return function __llmspell_api_call(...args) { return __llmspell_request(op, args); };
    },
    encode: __llmspell_encode,
  };

  G.__llmspell = bridge;
  G.print = __llmspell_writer("stdout", "\t");
  G.console = Object.freeze({
    log: __llmspell_writer("stdout", " "),
    info: __llmspell_writer("stdout", " "),
    debug: __llmspell_writer("stdout", " "),
    warn: __llmspell_writer("stderr", " "),
    error: __llmspell_writer("stderr", " "),
  });
})(globalThis);
