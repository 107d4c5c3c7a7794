// Misuse raises (NotFoundError, ValidationError); it is catchable with try/catch
await Tool.register({
  name: "conf-typed",
  description: "Needs an integer n",
  parameters: {type: "object", properties: {n: {type: "integer"}}, required: ["n"]},
  handler: (params) => params.n,
});
async function attempt(label, f, ...args) {
  try { await f(...args); console.log(label + ": true"); }
  catch (err) { console.log(label + ": false " + err.name + ": " + err.message); }
}
await attempt("close name", Tool.execute, "conf-typd", {n: 1});
await attempt("wrong type", Tool.execute, "conf-typed", {n: "one"});
await attempt("missing param", Tool.execute, "conf-typed", {});
await attempt("extra type check", Tool.execute, "conf-typed", {n: 1.5});
await attempt("schema of unknown", Tool.schema, "conf-typedd");
await attempt("register without name", Tool.register, {description: "x", handler: print});
await attempt("register without handler", Tool.register, {name: "conf-x", description: "x"});
console.log("valid call still works: " + (await Tool.execute("conf-typed", {n: 5})).result);
try {
  await Tool.execute("conf-unknown-tool-xyz", {});
} catch (err) {
  const head = (err.name + ": " + err.message).match(/^NotFoundError: unknown tool '[^']+'/)[0];
  console.log("unknown tool: false " + head);
}
