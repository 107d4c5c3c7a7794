// hello.js: the smallest spell, in JavaScript. Run it with: llmspell run examples/hello.js -- Ada
// Every API call returns a Promise: await it (top-level await works).
const name = ARGS[1] ?? "world";
print("Hello, " + name + "!");

// State persists between runs (SQLite under ~/.llmspell unless configured otherwise).
const runs = ((await State.get("hello_runs")) ?? 0) + 1;
await State.set("hello_runs", runs);
print("This spell has run " + runs + " time(s).");

// A tool defined by the spell itself, called like a built-in one.
await Tool.register({
  name: "greeter",
  description: "Builds a greeting",
  parameters: { type: "object", properties: { who: { type: "string" } }, required: ["who"] },
  handler: (params) => "Greetings, " + params.who,
});
const result = await Tool.execute("greeter", { who: name });
print(result.text);

export default { greeted: name, runs: runs };
