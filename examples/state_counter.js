// state_counter.js: State keeps values between runs. Run it with: llmspell run examples/state_counter.js
// Run it twice: the counter goes on where the last run left it (LLMSPELL_STATE_BACKEND=memory
// starts afresh every time). Every State call returns a Promise: await it.

// scope "global": State.get / State.set
const runs = ((await State.get("counter_runs")) ?? 0) + 1;
await State.set("counter_runs", runs);
print("run #" + runs);

// other scopes keep unrelated values apart: the last three runs, in scope "counter"
const history = (await State.load("counter", "history")) ?? [];
history.push(runs);
while (history.length > 3) history.shift();
await State.save("counter", "history", history);
print("recent runs: " + history.join(", "));
print("keys in scope 'counter': " + (await State.listKeys("counter")).join(", "));

// helpers for the scopes "agent:<id>" and "tool:<id>" (camelCase: toolSet, agentGet, ...)
await State.toolSet("counter", "last_run", runs);
print("tool:counter last_run = " + (await State.toolGet("counter", "last_run")));

// delete reports whether the key existed
await State.save("counter", "scratch", { temporary: true });
print("deleted scratch: " + (await State.delete("counter", "scratch")));
print("deleted again: " + (await State.delete("counter", "scratch")));

// only JSON values can be stored
try {
  await State.set("callback", print);
} catch (e) {
  print("storing a function: false (" + e.name + ")");
}

export default { runs, history };
