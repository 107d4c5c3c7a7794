// Error.prepareStackTrace sees the stack of every Error the bridge makes: does it hand out
// the bridge's functions? (prints the names of every function it could get hold of)
const leaked = [];
function probe(err, frames) {
  for (const f of frames || []) {
    try {
      const fn = typeof f.getFunction === "function" ? f.getFunction() : undefined;
      if (typeof fn === "function" && fn !== probe) leaked.push(fn.name || "<anonymous>");
      const self = typeof f.getThis === "function" ? f.getThis() : undefined;
      if (self && typeof self === "object" && typeof self.request === "function") leaked.push("this");
    } catch (e) { /* refused: fine */ }
  }
  return String(err);
}
try {
  Error.prepareStackTrace = probe;
} catch (e) {
  try { Object.defineProperty(Error, "prepareStackTrace", { value: probe }); } catch (e2) { /* refused */ }
}
try { await Tool.execute("no-such-tool", {}); } catch (e) { String(e.stack); }
await Tool.execute("calculator", { input: "1 + 1" });
try { await Tool.execute("calculator", { input: 42 }); } catch (e) { String(e.stack); }
await Tool.register({ name: "t", description: "d", handler: function h() {
  new Error("inside a handler").stack;
  return 1;
} });
await Tool.execute("t", {});
print("LEAKED:" + [...new Set(leaked)].join(","));
