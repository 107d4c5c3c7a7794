// llmspell JavaScript prelude: evaluated once per context, before any spell code.
//
// Host calls are requests. An API call queues ["req", id, op, argsJson] for the host and
// returns a Promise; the Python driver takes the queue, answers each request and settles
// the Promise through __llmspell_settle. JavaScript never calls Python, so the QuickJS
// time limit stays on and several requests can be in flight at once.
//
// The bridge is private. Everything the prelude uses is captured here, before the spell
// runs: it never reads a global, a prototype method or a property the spell could
// replace afterwards (no Array.prototype.push, no Promise.prototype.then, no iteration
// protocol, no JSON.stringify of its own structures: events are JSON text built by
// concatenation). No bridge function is reachable from the spell: the bridge object is
// deleted from the global object once Python holds its functions, and
// Error.prepareStackTrace (whose call sites hand out the functions on the stack) is
// fixed to undefined.
//
// Limits (the second half): natives whose work the interrupt handler cannot see (it is
// consulted only between bytecode branches) are wrapped: array-likes longer than the
// memory limit could hold are refused, strings the memory limit could not hold are
// refused before they are built, decimal BigInt conversion has a size cap, and the
// wrappers check the run's deadline so that a loop of heavy natives ends near it.
//
// Every function here is named __llmspell_* so that error locations can skip them and
// point at the spell's own line.
(function __llmspell_prelude(G) {
  "use strict";
  // -- primordials --------------------------------------------------------------------
  const ObjectCtor = Object, ErrorCtor = Error, StringCtor = String, NumberCtor = Number;
  const PromiseCtor = Promise, MapCtor = Map, WeakMapCtor = WeakMap, TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError, BigIntCtor = BigInt;
  const ReflectApply = Reflect.apply;
  const PromiseReject = Promise.reject, PromiseProto = Promise.prototype;
  const WeakSetCtor = WeakSet;
  const SymbolToPrimitive = Symbol.toPrimitive;
  const create = Object.create, defineProperty = Object.defineProperty, freeze = Object.freeze;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor, hasOwn = Object.hasOwn;
  const objectKeys = Object.keys, getPrototypeOf = Object.getPrototypeOf;
  const JSONStringify = JSON.stringify, JSONParse = JSON.parse;
  const isArray = Array.isArray, isError = Error.isError;
  const isFiniteNumber = Number.isFinite, isSafeInteger = Number.isSafeInteger;
  const mathMax = Math.max, mathMin = Math.min, mathTrunc = Math.trunc;
  const DateNow = Date.now;
  const SymbolAsyncIterator = Symbol.asyncIterator, SymbolIterator = Symbol.iterator;
  const SymbolIsConcatSpreadable = Symbol.isConcatSpreadable;
  const call = Function.prototype.call;
  const bindFn = Function.prototype.bind;
  // uncurried methods: f(self, ...args) calls the captured original with self as this
  function __llmspell_uncurry(fn) { return ReflectApply(bindFn, call, [fn]); }
  const mapGet = __llmspell_uncurry(Map.prototype.get), mapSet = __llmspell_uncurry(Map.prototype.set);
  const weakGet = __llmspell_uncurry(WeakMap.prototype.get);
  const weakSet = __llmspell_uncurry(WeakMap.prototype.set);
  const weakSetAdd = __llmspell_uncurry(WeakSet.prototype.add);
  const weakSetHas = __llmspell_uncurry(WeakSet.prototype.has);
  const isPrototypeOf = __llmspell_uncurry(Object.prototype.isPrototypeOf);
  const stackOf = __llmspell_uncurry(getOwnPropertyDescriptor(Error.prototype, "stack").get);
  const arrayPush = Array.prototype.push;
  const InternalErrorProto = typeof InternalError === "function" ? InternalError.prototype : null;
  const arrayBufferIsView = ArrayBuffer.isView;
  const charCodeAt = __llmspell_uncurry(String.prototype.charCodeAt);
  // slice(0) flattens the rope a concatenation makes (the binding cannot convert ropes)
  const stringSlice = __llmspell_uncurry(String.prototype.slice);

  const FN = "\u0000fn", HANDLE = "\u0000h", NUM = "\u0000num";
  const pending = create(null);     // request id -> [resolve, reject, callSiteStack, promise]

  // What a host call returns: a plain Promise that knows whether anyone looked at it.
  // await, then, catch, finally, Promise.all/allSettled/race all read a promise's
  // constructor first, so an own getter for it (answering Promise, as the prototype would)
  // marks the promise seen at no extra job per await; a rejection nobody saw then fails
  // the run instead of vanishing.
  const observed = new WeakSetCtor();
  const rejectedCalls = [];         // [promise, error] of every rejected host call
  const watchedConstructor = { __proto__: null, configurable: false, enumerable: false,
    get: function __llmspell_constructor() { weakSetAdd(observed, this); return PromiseCtor; } };
  function __llmspell_watched(promise) {
    defineProperty(promise, "constructor", watchedConstructor);
    return promise;
  }

  function __llmspell_is_promise(value) {
    return value !== null && typeof value === "object" && isPrototypeOf(PromiseProto, value);
  }

  // A hint for a likely mistake, with the spell line it happened at (the host words it).
  function __llmspell_hint(what) {
    __llmspell_queue("[\"hint\"," + __llmspell_q(what) + "," + __llmspell_q(stackOf(new ErrorCtor())) + "]");
  }
  // Everything for the host, in the order it happened, as JSON texts joined by commas:
  // ["req", id, op, argsJson], ["out", stream, text] and ["ret", callId, ok, ...] (a
  // host -> script call returned).
  let outbox = "";
  const fns = create(null);         // script functions the host may call, by id
  let fnCount = 0;
  const fnIds = new MapCtor();
  const protos = create(null);      // object type name -> prototype with methods
  const handleOf = new WeakMapCtor();
  let nextId = 1;
  let main = "";                    // JSON text of the spell's own completion, once known
  // which watched completion counts: an interactive entry stopped while it awaited may
  // settle during a later entry, and must not stand for that entry's completion
  let mainSeq = 0;
  // set when a return or the completion could not even be queued (QuickJS out of memory):
  // the host must not wait for it
  let lost = false;
  let lastSite = "";                // the stack where the spell made its latest request

  function __llmspell_queue(text) { outbox = outbox === "" ? text : outbox + "," + text; }
  function __llmspell_q(s) { return JSONStringify(s); }   // a string as JSON text

  // String(x) that never throws (a spell's toString may)
  function __llmspell_str(x) {
    try { return StringCtor(x); } catch (e) { return "[unprintable value]"; }
  }

  // a data property descriptor nothing inherited can change
  function __llmspell_data(value, enumerable) {
    return { __proto__: null, value: value, writable: true, enumerable: enumerable, configurable: true };
  }

  function __llmspell_fn_id(f) {
    let id = mapGet(fnIds, f);
    if (id === undefined) { id = ++fnCount; fns[id] = f; mapSet(fnIds, f, id); }
    return id;
  }

  function __llmspell_replacer(key, value) {
    if (typeof value === "function") return { [FN]: __llmspell_fn_id(value) };
    if (__llmspell_is_promise(value)) {
      throw new TypeErrorCtor("a Promise is not a value (did you forget `await`?)");
    }
    if (typeof value === "number" && !isFiniteNumber(value)) return { [NUM]: StringCtor(value) };
    if (typeof value === "bigint") return { [NUM]: __llmspell_bigint_wire(value) };
    if (value !== null && typeof value === "object") {
      const h = weakGet(handleOf, value);
      if (h !== undefined) return { [HANDLE]: h };
      if (!isArray(value) && (hasOwn(value, HANDLE) || hasOwn(value, FN) || hasOwn(value, NUM))) {
        throw new TypeErrorCtor("object keys starting with \\u0000 are reserved for the host");
      }
    }
    return value;
  }

  // JSON text of a value for the host ("null" for what JSON has no text for)
  function __llmspell_encode(value) {
    const text = JSONStringify(value === undefined ? null : value, __llmspell_replacer);
    return typeof text === "string" ? text : "null";
  }

  function __llmspell_reviver(key, value) {
    if (value !== null && typeof value === "object" && !isArray(value)) {
      if (hasOwn(value, FN)) {
        const f = fns[value[FN]];
        return f === undefined ? null : f;
      }
      if (hasOwn(value, HANDLE)) {
        const type = hasOwn(value, "type") ? value.type : "";
        const proto = (typeof type === "string" && protos[type]) || ObjectCtor.prototype;
        const obj = create(proto);
        const fields = hasOwn(value, "fields") ? value.fields : null;
        if (fields !== null && typeof fields === "object") {
          const names = objectKeys(fields);
          for (let i = 0; i < names.length; i++) {
            defineProperty(obj, names[i], __llmspell_data(fields[names[i]], true));
          }
        }
        weakSet(handleOf, obj, value[HANDLE]);
        return obj;
      }
    }
    return value;
  }

  function __llmspell_decode(text) {
    return text === undefined || text === null ? undefined : JSONParse(text, __llmspell_reviver);
  }

  function __llmspell_error(kind, message, stack) {
    const e = new ErrorCtor(message);
    defineProperty(e, "name", __llmspell_data(kind, false));
    if (stack) defineProperty(e, "llmspellStack", __llmspell_data(stack, false));
    return e;
  }

  // A request from a generated API function. The call site's stack is kept so that a
  // rejected request reports the spell line that made it.
  function __llmspell_request(op, args) {
    let argsJson;
    try {
      // the list is the bridge's own: only its elements are the spell's values
      argsJson = "[";
      for (let i = 0; i < args.length; i++) argsJson += (i ? "," : "") + __llmspell_encode(args[i]);
      argsJson += "]";
    } catch (e) {
      // QuickJS out of memory (an InternalError, or null when it could not even make one)
      // stays what it is: the host reports the memory limit
      const internal = e === null || (isError(e) && getPrototypeOf(e) === InternalErrorProto);
      if (internal) return ReflectApply(PromiseReject, PromiseCtor, [e]);
      const refused = __llmspell_error("ValidationError", __llmspell_message(e), stackOf(new ErrorCtor()));
      const rejected = __llmspell_watched(ReflectApply(PromiseReject, PromiseCtor, [refused]));
      ReflectApply(arrayPush, rejectedCalls, [[rejected, refused]]);
      return rejected;
    }
    const id = nextId++;
    const site = stackOf(new ErrorCtor());
    lastSite = site;
    __llmspell_queue("[\"req\"," + id + "," + op + "," + __llmspell_q(argsJson) + "]");
    const promise = __llmspell_watched(new PromiseCtor(function __llmspell_wait(resolve, reject) { pending[id] = [resolve, reject, site]; }));
    pending[id][3] = promise;
    return promise;
  }

  function __llmspell_message(e) {
    if (isError(e)) return __llmspell_str(e.message);
    return __llmspell_str(e);
  }

  function __llmspell_show_function(f) {
    const name = __llmspell_str(f.name);
    return "[Function" + (name ? ": " + name : "") + "]";
  }

  // Printed objects are JSON, with what JSON has no form for shown as JavaScript shows it
  // (never the host's markers, and printing a function must not register it).
  function __llmspell_show(key, value) {
    if (typeof value === "function") return __llmspell_show_function(value);
    if (__llmspell_is_promise(value)) {
      __llmspell_hint("a Promise was printed");
      return "[object Promise]";
    }
    if (typeof value === "bigint") {
      return isSafeInteger(NumberCtor(value)) ? NumberCtor(value) : __llmspell_bigint_text(value);
    }
    if (typeof value === "number" && !isFiniteNumber(value)) return StringCtor(value);
    return value;
  }

  function __llmspell_format(value) {
    if (typeof value === "string") return value;
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    if (typeof value === "function") return __llmspell_show_function(value);
    if (typeof value === "bigint") return __llmspell_bigint_text(value);
    if (typeof value === "object") {
      if (isError(value)) return __llmspell_str(value);
      if (__llmspell_is_promise(value)) {
        __llmspell_hint("a Promise was printed");
        return "[object Promise]";
      }
      try {
        const text = JSONStringify(value, __llmspell_show);
        return typeof text === "string" ? text : __llmspell_str(value);
      } catch (e) { return __llmspell_str(value); }
    }
    return __llmspell_str(value);
  }

  function __llmspell_writer(stream, sep) {
    return function __llmspell_write(...args) {
      let text = "";
      for (let i = 0; i < args.length; i++) text = (i ? text + sep : text) + __llmspell_format(args[i]);
      __llmspell_queue("[\"out\"," + __llmspell_q(stream) + "," + __llmspell_q(text + "\n") + "]");
    };
  }

  // [name, message, stack] of a thrown value, as JSON texts ("" name: not an Error; the
  // host reads a "null" message as QuickJS out of memory)
  function __llmspell_failure(e, withSite) {
    let name = "", message, stack = "", site = "";
    if (isError(e)) {
      name = __llmspell_str(e.name);
      message = __llmspell_str(e.message);
      stack = __llmspell_str(stackOf(e) || "");
      if (withSite) {
        const own = getOwnPropertyDescriptor(e, "llmspellStack");
        site = own && typeof own.value === "string" ? own.value : "";
      }
    } else {
      message = __llmspell_format(e);
    }
    let text = __llmspell_q(name) + "," + __llmspell_q(message) + "," + __llmspell_q(stack);
    if (withSite) text += "," + __llmspell_q(site);
    return text;
  }

  async function __llmspell_run_call(callId, fnId, argsJson) {
    try { await __llmspell_call(callId, fnId, argsJson); } catch (e) { lost = true; }
  }

  async function __llmspell_call(callId, fnId, argsJson) {
    let text;
    try {
      await null;  // run in a job, not inside the host's call
      const f = fns[fnId];
      if (typeof f !== "function") throw new TypeErrorCtor("not a function");
      const args = __llmspell_decode(argsJson);
      const v = await ReflectApply(f, undefined, isArray(args) ? args : []);
      try {
        text = "[\"ret\"," + callId + ",true," + __llmspell_q(__llmspell_encode(v)) + "]";
      } catch (e) {
        text = "[\"ret\"," + callId + ",false,\"ValidationError\"," + __llmspell_q(__llmspell_message(e)) + ",\"\"]";
      }
    } catch (e) {
      text = "[\"ret\"," + callId + ",false," + __llmspell_failure(e, false) + "]";
    }
    __llmspell_queue(text);
  }

  async function __llmspell_run_main(value, seq) {
    try { await __llmspell_main(value, seq); } catch (e) { lost = true; }
  }

  async function __llmspell_main(value, seq) {
    let text;
    try {
      const v = await value;
      try { text = "[\"ok\"," + __llmspell_q(__llmspell_encode(v)) + "]"; }
      catch (e) { text = "[\"ok\"," + __llmspell_q(__llmspell_q(__llmspell_str(v))) + "]"; }
    } catch (e) {
      text = "[\"error\"," + __llmspell_failure(e, true) + "]";
    }
    if (seq === mainSeq) main = text;
  }

  async function __llmspell_module_default(evaluation) {
    await evaluation;
    const ns = await import("<input>");
    return ns.default;
  }

  async function __llmspell_next_item(self, method) {
    const v = await self[method]();
    return v === null || v === undefined ? { value: undefined, done: true } : { value: v, done: false };
  }

  const bridge = {
    request: __llmspell_request,
    // Called by Python: everything queued since the last take, as one JSON text.
    take: function __llmspell_take() {
      let text = "{\"events\":[" + outbox + "]";
      outbox = "";
      if (main !== "") { text += ",\"main\":" + main; main = ""; }
      if (lost) text += ",\"lost\":true";
      return stringSlice(text + "}", 0);
    },
    settle: function __llmspell_settle(id, ok, payload, kind) {
      const p = pending[id];
      if (p === undefined) return;
      delete pending[id];
      if (ok) p[0](__llmspell_decode(payload));
      else {
        const error = __llmspell_error(kind, payload, p[2]);
        ReflectApply(arrayPush, rejectedCalls, [[p[3], error]]);
        p[1](error);
      }
    },
    // Called by Python when the spell has finished: the first rejected host call nobody
    // awaited or handled, as [name, message, stack, site] JSON texts ("" when none).
    unseen: function __llmspell_unseen() {
      for (let i = 0; i < rejectedCalls.length; i++) {
        if (!weakSetHas(observed, rejectedCalls[i][0])) {
          return stringSlice("[" + __llmspell_failure(rejectedCalls[i][1], true) + "]", 0);
        }
      }
      return "";
    },
    // The host calls a script function: run it, await its result, queue the return.
    invoke: function __llmspell_invoke(callId, fnId, argsJson) {
      __llmspell_run_call(callId, fnId, argsJson);
    },
    watch: function __llmspell_watch(value) {
      mainSeq++;
      main = "";
      __llmspell_run_main(value, mainSeq);
    },
    // A module's completion: its evaluation Promise settles, then its `export default`
    // (the binding names the module <input>; importing it again gives its namespace).
    result: function __llmspell_result(evaluation) {
      return __llmspell_module_default(evaluation);
    },
    // Builders (Agent.builder()): setters collect fields and return the builder; build()
    // sends them in one request.
    builder: function __llmspell_builder(setters, op, appenders, presets) {
      const proto = {
        build: function __llmspell_build() { return __llmspell_request(op, [this.__fields]); },
      };
      const setterNames = objectKeys(setters);
      for (let i = 0; i < setterNames.length; i++) {
        const fieldName = setters[setterNames[i]];
        proto[setterNames[i]] = function __llmspell_set(value) { this.__fields[fieldName] = value; return this; };
      }
      const appenderNames = objectKeys(appenders || {});
      for (let i = 0; i < appenderNames.length; i++) {
        const fieldName = appenders[appenderNames[i]];
        proto[appenderNames[i]] = function __llmspell_add(value) {
          const list = this.__fields[fieldName] || (this.__fields[fieldName] = []);
          ReflectApply(arrayPush, list, [value]);
          return this;
        };
      }
      const presetNames = objectKeys(presets || {});
      for (let i = 0; i < presetNames.length; i++) {
        const fieldName = presets[presetNames[i]][0], value = presets[presetNames[i]][1];
        proto[presetNames[i]] = function __llmspell_preset() { this.__fields[fieldName] = value; return this; };
      }
      return function __llmspell_new_builder() {
        const b = create(proto);
        defineProperty(b, "__fields", { __proto__: null, value: {}, enumerable: false });
        return b;
      };
    },
    objectType: function __llmspell_object_type(name, methods, iterator) {
      const proto = {};
      for (let i = 0; i < methods.length; i++) {
        const methodName = methods[i][0], op = methods[i][1];
        proto[methodName] = function __llmspell_method(...args) {
          const h = weakGet(handleOf, this);
          if (h === undefined) {
            return ReflectApply(PromiseReject, PromiseCtor, [__llmspell_error("ValidationError",
              "call " + name + " methods on the object (obj." + methodName + "(...))")]);
          }
          const full = [this];   // the replacer writes the handle
          for (let j = 0; j < args.length; j++) defineProperty(full, j + 1, __llmspell_data(args[j], true));
          return __llmspell_request(op, full);
        };
      }
      if (iterator) {
        // iterable with `for await (const item of obj)`: next() until it answers null
        proto[SymbolAsyncIterator] = function __llmspell_iterate() {
          const self = this;
          return { next: function __llmspell_next() { return __llmspell_next_item(self, iterator); } };
        };
      }
      protos[name] = proto;
    },
    api: function __llmspell_api(op) {
      return function __llmspell_api_call(...args) { return __llmspell_request(op, args); };
    },
    encode: __llmspell_encode,
    // Called by Python when the run was stopped from outside while the spell waited.
    site: function __llmspell_site() { return stringSlice(lastSite, 0); },
    // Called by Python before each entry of an interactive session: the rejections the
    // last entry left unseen were reported with it.
    entry: function __llmspell_entry() { rejectedCalls.length = 0; },
    // Called by Python before the spell runs: the run's deadline (epoch ms, Date.now()'s
    // clock) and the engine's memory limit in bytes (0: none).
    limits: function __llmspell_limits(deadlineMs, memoryBytes) {
      deadline = deadlineMs;
      if (memoryBytes > 0) {
        maxBytes = memoryBytes;
        maxElements = mathMax(mathTrunc(memoryBytes / ELEMENT_BYTES), 1024);
      }
    },
  };

  // -- limits on long native calls ------------------------------------------------------
  //
  // QuickJS consults its interrupt handler (the time limit) only every 10000 bytecode
  // branches, never inside a native function. So: (1) natives that iterate an array-like
  // refuse a length beyond what the memory limit could hold as a real array (16 bytes an
  // element, half the limit: longer ones are sparse or fake, and iterating them costs
  // time, not memory); (2) strings and BigInt texts are sized before they are built;
  // (3) the wrappers compare Date.now() with the run's deadline, and past it they spin
  // until the interrupt handler ends the run (uncatchable, unlike a thrown error).
  const ELEMENT_BYTES = 32;
  const BIGINT_DECIMAL_BITS = 100000;   // ~30 100 decimal digits
  const BIGINT_DECIMAL_LIMIT = BigIntCtor(1) << BigIntCtor(BIGINT_DECIMAL_BITS);
  const BIGINT_WIRE_LIMIT = BigIntCtor(1) << BigIntCtor(64);
  const SORT_NATIVE_MAX = 65536;
  const CHECK_FROM = 4096;              // array-likes this long check the deadline        // longer default sorts compare in JavaScript
  let deadline = Infinity;
  let maxBytes = 1024 * 1024 * 1024;
  let maxElements = maxBytes / ELEMENT_BYTES;

  function __llmspell_spin() { for (;;) { /* the interrupt handler ends this */ } }

  function __llmspell_check() { if (DateNow() > deadline) __llmspell_spin(); }

  function __llmspell_refuse(what, size, unit) {
    __llmspell_check();
    const e = new ErrorCtor("out of memory: " + what + " on " + size + " " + unit
      + " (the memory limit allows " + (unit === "elements" ? maxElements : maxBytes) + ")");
    defineProperty(e, "name", __llmspell_data("InternalError", false));
    throw e;
  }

  function __llmspell_check_length(what, n) {
    __llmspell_check();
    if (n > maxElements) __llmspell_refuse(what, n, "elements");
  }

  function __llmspell_length(o) {
    const n = NumberCtor(o.length);
    return n > 0 ? mathTrunc(n) : 0;   // NaN, negative: 0
  }

  // The length a native will see, checked. For anything but a real array the length is
  // read once from an own data property; a getter (which could answer small here and
  // huge to the native) is refused for methods that write, and shadowed by a fixed
  // length for methods that only read.
  // (and, for a long one, the deadline: short ones are cheap, and a loop of them is
  // seen by the interrupt handler)
  function __llmspell_checked(self, what, writes) {
    const o = ObjectCtor(self);
    if (isArray(o)) {
      const n = __llmspell_length(o);
      if (n > CHECK_FROM) __llmspell_check_length(what, n);
      return o;
    }
    const desc = getOwnPropertyDescriptor(o, "length");
    if (desc !== undefined && hasOwn(desc, "value")) {
      const v = NumberCtor(desc.value), n = v > 0 ? mathTrunc(v) : 0;
      if (n > CHECK_FROM) __llmspell_check_length(what, n);
      return o;
    }
    const n = __llmspell_length(o);
    if (n > CHECK_FROM) __llmspell_check_length(what, n);
    if (writes) {
      if (desc === undefined && n === 0) return o;
      throw new TypeErrorCtor(what + " needs an object with its own length here");
    }
    return create(o, { length: __llmspell_data(n, false) });
  }

  // methods where an argument's presence matters (or that take any number): these keep
  // their exact argument list; the others get a faster wrapper with a fixed arity
  const VARIADIC = create(null);
  const variadicNames = ["lastIndexOf", "reduce", "reduceRight", "splice", "toSpliced", "unshift",
    "concat", "assign"];
  for (let i = 0; i < variadicNames.length; i++) VARIADIC[variadicNames[i]] = true;

  function __llmspell_fast(impl, orig, label) {
    const callOrig = __llmspell_uncurry(orig);
    if (impl === __llmspell_string_method) {
      return function (a, b) {
        if (typeof this !== "string" || this.length > CHECK_FROM) __llmspell_check();
        return callOrig(this, a, b);
      };
    }
    if (impl === __llmspell_deadline_only) {
      return function (a, b, c) { __llmspell_check(); return callOrig(this, a, b, c); };
    }
    if (impl === __llmspell_array_method) {
      return function (a, b, c) { return callOrig(__llmspell_checked(this, label, false), a, b, c); };
    }
    if (impl === __llmspell_array_writer) {
      return function (a, b, c) { return callOrig(__llmspell_checked(this, label, true), a, b, c); };
    }
    return undefined;
  }

  function __llmspell_wrap(obj, key, label, impl) {
    const desc = getOwnPropertyDescriptor(obj, key);
    if (desc === undefined || typeof desc.value !== "function") return undefined;
    const orig = desc.value;
    const fn = (!VARIADIC[key] && __llmspell_fast(impl, orig, label))
      || function (...args) { return impl(this, args, orig, label); };
    // the name keeps the prelude's prefix: error locations skip these frames
    defineProperty(fn, "name", { __proto__: null, value: "__llmspell_" + key, configurable: true });
    defineProperty(fn, "length", { __proto__: null, value: orig.length, configurable: true });
    defineProperty(obj, key, { __proto__: null, value: fn, writable: desc.writable,
      enumerable: desc.enumerable, configurable: desc.configurable });
    return fn;
  }

  // array-like methods: deadline, then the length
  function __llmspell_array_method(self, args, orig, label) {
    __llmspell_check();
    return ReflectApply(orig, __llmspell_checked(self, label, false), args);
  }
  function __llmspell_array_writer(self, args, orig, label) {
    __llmspell_check();
    return ReflectApply(orig, __llmspell_checked(self, label, true), args);
  }
  function __llmspell_concat(self, args, orig, label) {
    __llmspell_check();
    let total = __llmspell_length(__llmspell_checked(self, label, false));
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a !== null && typeof a === "object" && (isArray(a) || a[SymbolIsConcatSpreadable])) {
        total += __llmspell_length(__llmspell_checked(a, label, true));
      } else total += 1;
      if (total > maxElements) __llmspell_refuse(label, total, "elements");
    }
    return ReflectApply(orig, self, args);
  }
  // flat/flatMap: the nested arrays the native would open count too
  function __llmspell_flat_size(a, depth, label, total) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (depth > 0 && isArray(v)) {
        const n = __llmspell_length(v);
        if (n > maxElements) __llmspell_refuse(label, n, "elements");
        total = __llmspell_flat_size(v, depth - 1, label, total);
      } else total += 1;
      if (total > maxElements) __llmspell_refuse(label, total, "elements");
    }
    return total;
  }
  function __llmspell_flat(self, args, orig, label) {
    __llmspell_check();
    const o = __llmspell_checked(self, label, false);
    const d = args.length > 0 && args[0] !== undefined ? NumberCtor(args[0]) : 1;
    __llmspell_flat_size(o, d > 0 ? mathMin(d, 1e6) : 0, label, 0);
    return ReflectApply(orig, o, args);
  }
  function __llmspell_flat_map(self, args, orig, label) {
    __llmspell_check();
    return ReflectApply(orig, __llmspell_checked(self, label, false), args);
  }
  // the default sort order, in JavaScript: the interrupt handler sees long sorts
  function __llmspell_compare_strings(x, y) {
    const a = StringCtor(x), b = StringCtor(y);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function __llmspell_compare_numbers(x, y) {
    if (x < y) return -1;
    if (x > y) return 1;
    if (x !== x) return y !== y ? 0 : 1;   // NaN last
    if (y !== y) return -1;
    if (x === 0 && y === 0) {             // -0 before +0
      const nx = 1 / x < 0, ny = 1 / y < 0;
      return nx === ny ? 0 : nx ? -1 : 1;
    }
    return 0;
  }
  function __llmspell_sort(self, args, orig, label) {
    __llmspell_check();
    const o = __llmspell_checked(self, label, label === "Array.prototype.sort");
    if ((args.length === 0 || args[0] === undefined) && __llmspell_length(o) > SORT_NATIVE_MAX) {
      return ReflectApply(orig, o, [__llmspell_compare_strings]);
    }
    return ReflectApply(orig, o, args);
  }
  function __llmspell_typed_sort(self, args, orig) {
    __llmspell_check();
    if ((args.length === 0 || args[0] === undefined) && arrayBufferIsView(self)
        && self.length > SORT_NATIVE_MAX) {
      return ReflectApply(orig, self, [__llmspell_compare_numbers]);
    }
    return ReflectApply(orig, self, args);
  }
  // JSON.stringify(promise) is "{}": the value was probably meant
  function __llmspell_stringify(self, args, orig) {
    __llmspell_check();
    if (__llmspell_is_promise(args[0])) __llmspell_hint("a Promise was turned into JSON");
    return ReflectApply(orig, self, args);
  }
  function __llmspell_deadline_only(self, args, orig) {
    __llmspell_check();
    return ReflectApply(orig, self, args);
  }
  // string methods: the deadline only matters for long strings (cheap on short ones)
  function __llmspell_string_method(self, args, orig) {
    if (typeof self !== "string" || self.length > CHECK_FROM) __llmspell_check();
    return ReflectApply(orig, self, args);
  }
  function __llmspell_to_integer(v) {
    const n = NumberCtor(v);
    return n !== n ? 0 : mathTrunc(n);
  }
  function __llmspell_char_bytes(s) {
    // two-byte strings take twice the room: a cheap bound, the first 1000 characters
    for (let i = 0; i < s.length && i < 1000; i++) if (charCodeAt(s, i) > 255) return 2;
    return 1;
  }
  function __llmspell_repeat(self, args, orig, label) {
    __llmspell_check();
    const s = StringCtor(self);
    const count = __llmspell_to_integer(args[0]);
    const size = s.length * count;
    if (s.length > 0 && count > 0 && size * __llmspell_char_bytes(s) > maxBytes) {
      __llmspell_refuse(label, size, "bytes");
    }
    return ReflectApply(orig, self, args);
  }
  function __llmspell_pad(self, args, orig, label) {
    __llmspell_check();
    const s = StringCtor(self);
    const size = __llmspell_to_integer(args[0]);
    const filler = args.length > 1 && args[1] !== undefined ? StringCtor(args[1]) : " ";
    if (size > s.length && filler !== "" && size > maxBytes) __llmspell_refuse(label, size, "bytes");
    return ReflectApply(orig, self, args);
  }
  function __llmspell_bigint_too_long(x) {
    return x >= BIGINT_DECIMAL_LIMIT || x <= -BIGINT_DECIMAL_LIMIT;
  }
  function __llmspell_bigint_text(x) {
    if (!__llmspell_bigint_too_long(x)) return StringCtor(x);
    return x < 0 ? "-0x" + ReflectApply(bigintToString, -x, [16]) : "0x" + ReflectApply(bigintToString, x, [16]);
  }
  // a BigInt for the host: decimal up to 64 bits, hexadecimal beyond (Python reads both;
  // it refuses decimal texts over 4300 digits, and hex costs linear time on both sides)
  function __llmspell_bigint_wire(x) {
    if (x < BIGINT_WIRE_LIMIT && x > -BIGINT_WIRE_LIMIT) return StringCtor(x);
    return x < 0 ? "-0x" + ReflectApply(bigintToString, -x, [16]) : "0x" + ReflectApply(bigintToString, x, [16]);
  }
  function __llmspell_bigint_to_string(self, args, orig, label) {
    __llmspell_check();
    const radix = args.length > 0 && args[0] !== undefined ? NumberCtor(args[0]) : 10;
    const x = typeof self === "bigint" ? self : ReflectApply(bigintValueOf, self, []);
    if (radix !== 2 && radix !== 4 && radix !== 8 && radix !== 16 && radix !== 32
        && __llmspell_bigint_too_long(x)) {
      throw new RangeErrorCtor(label + ": a BigInt over " + BIGINT_DECIMAL_BITS
        + " bits has too many digits for a decimal text (hexadecimal, toString(16), has no limit)");
    }
    return ReflectApply(orig, self, args);
  }
  const bigintToString = BigInt.prototype.toString, bigintValueOf = BigInt.prototype.valueOf;

  const AP = Array.prototype;
  const arrayReaders = ["join", "toString", "toLocaleString", "indexOf", "lastIndexOf", "includes",
    "slice", "forEach", "map", "filter", "some", "every", "reduce", "reduceRight", "find",
    "findIndex", "findLast", "findLastIndex", "toReversed", "toSpliced", "with", "entries",
    "keys", "values", "at"];
  const arrayWriters = ["reverse", "fill", "copyWithin", "splice", "shift", "unshift"];
  for (let i = 0; i < arrayReaders.length; i++) {
    const k = arrayReaders[i];
    if (k === "entries" || k === "keys" || k === "values" || k === "at") continue;  // O(1) each
    __llmspell_wrap(AP, k, "Array.prototype." + k, __llmspell_array_method);
  }
  for (let i = 0; i < arrayWriters.length; i++) {
    __llmspell_wrap(AP, arrayWriters[i], "Array.prototype." + arrayWriters[i], __llmspell_array_writer);
  }
  __llmspell_wrap(AP, "concat", "Array.prototype.concat", __llmspell_concat);
  __llmspell_wrap(AP, "flat", "Array.prototype.flat", __llmspell_flat);
  __llmspell_wrap(AP, "flatMap", "Array.prototype.flatMap", __llmspell_flat_map);
  __llmspell_wrap(AP, "sort", "Array.prototype.sort", __llmspell_sort);
  __llmspell_wrap(AP, "toSorted", "Array.prototype.toSorted", __llmspell_sort);
  __llmspell_wrap(Array, "from", "Array.from", function __llmspell_from(self, args, orig, label) {
    __llmspell_check();
    const items = args[0];
    if (items !== null && items !== undefined && typeof items === "object"
        && items[SymbolIterator] == null) {
      const n = __llmspell_length(items);
      if (n > maxElements) __llmspell_refuse(label, n, "elements");
    }
    return ReflectApply(orig, self, args);
  });

  const TAP = getPrototypeOf(Int8Array.prototype);
  const typedMethods = ["join", "toString", "toLocaleString", "indexOf", "lastIndexOf", "includes",
    "slice", "fill", "set", "copyWithin", "reverse", "toReversed", "with", "map", "filter",
    "forEach", "some", "every", "reduce", "reduceRight", "find", "findIndex", "findLast",
    "findLastIndex"];
  for (let i = 0; i < typedMethods.length; i++) {
    __llmspell_wrap(TAP, typedMethods[i], "TypedArray.prototype." + typedMethods[i], __llmspell_deadline_only);
  }
  __llmspell_wrap(TAP, "sort", "TypedArray.prototype.sort", __llmspell_typed_sort);
  __llmspell_wrap(TAP, "toSorted", "TypedArray.prototype.toSorted", __llmspell_typed_sort);

  const SP = String.prototype;
  const stringMethods = ["split", "replace", "replaceAll", "match", "matchAll", "search",
    "toUpperCase", "toLowerCase", "toLocaleUpperCase", "toLocaleLowerCase", "normalize",
    "indexOf", "lastIndexOf", "includes", "startsWith", "endsWith", "localeCompare", "trim",
    "slice", "substring", "substr", "concat", "isWellFormed", "toWellFormed"];
  for (let i = 0; i < stringMethods.length; i++) {
    __llmspell_wrap(SP, stringMethods[i], "String.prototype." + stringMethods[i], __llmspell_string_method);
  }
  // trimLeft/trimRight are the same functions as trimStart/trimEnd
  const trimStart = __llmspell_wrap(SP, "trimStart", "String.prototype.trimStart", __llmspell_string_method);
  const trimEnd = __llmspell_wrap(SP, "trimEnd", "String.prototype.trimEnd", __llmspell_string_method);
  if (trimStart) defineProperty(SP, "trimLeft", { __proto__: null, value: trimStart });
  if (trimEnd) defineProperty(SP, "trimRight", { __proto__: null, value: trimEnd });
  __llmspell_wrap(SP, "repeat", "String.prototype.repeat", __llmspell_repeat);
  __llmspell_wrap(SP, "padStart", "String.prototype.padStart", __llmspell_pad);
  __llmspell_wrap(SP, "padEnd", "String.prototype.padEnd", __llmspell_pad);
  __llmspell_wrap(BigInt.prototype, "toString", "BigInt.prototype.toString", __llmspell_bigint_to_string);
  __llmspell_wrap(BigInt.prototype, "toLocaleString", "BigInt.prototype.toLocaleString", __llmspell_bigint_to_string);
  __llmspell_wrap(JSON, "stringify", "JSON.stringify", __llmspell_stringify);
  __llmspell_wrap(JSON, "parse", "JSON.parse", __llmspell_deadline_only);
  const objectStatics = ["keys", "values", "entries", "assign", "getOwnPropertyNames", "fromEntries",
    "groupBy"];
  for (let i = 0; i < objectStatics.length; i++) {
    __llmspell_wrap(ObjectCtor, objectStatics[i], "Object." + objectStatics[i], __llmspell_deadline_only);
  }

  // "result: " + promise, `${promise}`, +promise: the Promise where its value was meant
  defineProperty(PromiseProto, SymbolToPrimitive, { __proto__: null, writable: true,
    enumerable: false, configurable: true,
    value: function __llmspell_promise_to_primitive(hint) {
      __llmspell_hint("a Promise was used as a " + (hint === "number" ? "number" : "string"));
      return hint === "number" ? NaN : "[object Promise]";
    } });

  // call sites would hand the spell every function on the stack, the bridge's included
  defineProperty(ErrorCtor, "prepareStackTrace", { __proto__: null, value: undefined,
    writable: false, enumerable: false, configurable: false });

  G.__llmspell = bridge;
  G.print = __llmspell_writer("stdout", "\t");
  G.console = freeze({
    log: __llmspell_writer("stdout", " "),
    info: __llmspell_writer("stdout", " "),
    debug: __llmspell_writer("stdout", " "),
    warn: __llmspell_writer("stderr", " "),
    error: __llmspell_writer("stderr", " "),
  });
})(globalThis);
