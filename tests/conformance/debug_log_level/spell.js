// With --log-level debug, Debug.debug and Debug.info show; trace stays hidden
await Debug.trace("hidden trace");
await Debug.debug("shown debug");
await Debug.info("shown info", "mod");
await Debug.log("debug", "shown via log");
console.log("done");
