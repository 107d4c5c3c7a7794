// limits.js: what a spell sees of the limits and the sandbox. Run it with: llmspell run examples/limits.js
// Tools cap what model-written input could make them do: over a cap is a result, not a crash.
const r = await Tool.execute("calculator", { input: "7 ** 3000000" });
print("1. success=" + r.success + ", " + r.error_kind);

// A path outside [security] allowed_paths is refused, and the message names the path you gave.
try {
  await Tool.execute("file-operations", { operation: "read", path: "/etc/hostname" });
} catch (e) {
  print("2. " + (e.name + ": " + e.message).match(/SecurityError: access to '\/etc\/hostname' is denied/)[0]);
}

// A method only runs on an object of its own type.
const wf = await Workflow.sequential({ name: "limits-demo", steps: [{ name: "one", fn: () => 1 }] });
const timer = await Debug.timer("t");
try {
  await wf.execute.call(timer);
} catch (e) {
  print("3. " + e.name + ": " + e.message.match(/argument 1 .*got Timer/)[0]);
}

// The run's own limits (wall time, memory, Ctrl-C) cannot be caught: a try/catch around
// `for (;;) {}` never sees them, the run ends with LimitExceeded.
print("done");
