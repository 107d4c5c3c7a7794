// The memory limit (--memory-mb) ends a runaway spell with LimitExceeded, exit code 1;
// what it printed before stays printed. (Unlike Lua's pcall, a try/catch around the
// allocation can catch QuickJS's out-of-memory error, so this spell has none.)
console.log("before the allocation");
const chunks = [];
while (true) {
  chunks.push("x".repeat(1000) + chunks.length);
}
console.log("never printed");
