// An uncaught ValidationError: exit code 1, "file:line: ValidationError: ..." on stderr
await Tool.register({
  name: "conf-needs-n",
  description: "Needs n",
  parameters: {type: "object", properties: {n: {type: "integer"}}, required: ["n"]},
  handler: (params) => params.n,
});
console.log("before the error");
await Tool.execute("conf-needs-n", {n: "not a number"});
console.log("never printed");
