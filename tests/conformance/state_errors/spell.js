// Values must be JSON values; names must not be empty. Errors are ValidationErrors.
async function attempt(label, f, ...args) {
  try { await f(...args); console.log(label + ": true"); }
  catch (err) { console.log(label + ": false " + err.name + ": " + err.message); }
}
await attempt("function value", State.save, "s", "k", function () {});
await attempt("nested function", State.set, "k", {list: [1, print]});
await attempt("empty key", State.save, "s", "", 1);
await attempt("empty scope", State.save, "", "k", 1);
await attempt("missing key", State.load, "s");
await attempt("key not a string", State.get, 12);
console.log("nothing was stored: " + (await State.listKeys("s")).length);
// uncaught: exit 1 with the location
await State.set("bad", {f: print});
