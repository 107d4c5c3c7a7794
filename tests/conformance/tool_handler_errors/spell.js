// An error raised inside a tool handler becomes success=false with the error text;
// its kind (error_kind) is the kind raised, or ScriptError for a plain error
const tool = (name, handler) => Tool.register({name, description: "Fails: " + name, handler});
function kinded(kind, message) {
  const err = new Error(message);
  err.name = kind;
  return err;
}
await tool("conf-validation", (params) => { throw kinded("ValidationError", "'size' must be positive"); });
await tool("conf-security", (params) => { throw new Error("SecurityError: path outside the sandbox"); });
await tool("conf-tool-error", (params) => { throw new Error("ToolError: upstream returned 503"); });
await tool("conf-not-found", (params) => { throw kinded("NotFoundError", "no record 7"); });
await tool("conf-plain", (params) => { throw new Error("just broke"); });
await tool("conf-runtime", (params) => {
  const missing = undefined;
  return missing.field;
});
// host errors inside the handler: their kinds pass through
await tool("conf-host-validation", (params) => State.get(12));
await tool("conf-host-not-found", async (params) => await Tool.execute("conf-nowhere", {}));
// a handler that catches a failure and reports it itself
await tool("conf-careful", async (params) => {
  try {
    await Tool.execute("conf-nowhere", {});
    return {ok: true};
  } catch (err) {
    return {ok: false, kind: err.name};
  }
});

const names = [
  "conf-validation", "conf-security", "conf-tool-error", "conf-not-found", "conf-plain",
  "conf-host-validation", "conf-host-not-found",
];
for (const name of names) {
  const r = await Tool.execute(name, {});
  console.log(name + ": " + r.success + " " + r.error_kind + ": " + r.error
    + " (result is nil: " + String(r.result == null) + ")");
}
// a runtime error's message is the language's own; its kind is ScriptError
const r = await Tool.execute("conf-runtime", {});
console.log("conf-runtime: " + r.success + " " + r.error_kind);
const c = await Tool.execute("conf-careful", {});
console.log("conf-careful: " + c.success + " " + c.result.ok + " " + c.result.kind);
// the failures did not end the run
console.log("still running");
