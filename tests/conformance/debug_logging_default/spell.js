// Debug logging goes to stderr; the default level (warn) hides trace, debug and info
console.log("start");
await Debug.trace("hidden trace");
await Debug.debug("hidden debug");
await Debug.info("hidden info");
await Debug.warn("shown warning");
await Debug.error("shown error", "mymodule");
await Debug.log("warn", "shown via log");
await Debug.log("info", "hidden via log");
try {
  await Debug.log("loud", "x");
  console.log("bad level: true");
} catch (err) {
  console.log("bad level: false " + err.name + ": " + err.message);
}
console.log("end");
