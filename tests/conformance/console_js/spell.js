// console.log/info/debug write to stdout, arguments joined by a space (print joins with
// a tab, like Lua's); console.warn/error write to stderr. Objects are shown as JSON.
console.log("log", "to stdout", 1, true);
console.info("info to stdout");
console.debug("debug to stdout");
console.warn("a warning", 1);
console.error("an error", {code: 7});
console.log("values:", {b: [1, 2], a: "x"}, [1, "two"], null, undefined, 2.5);
console.log("functions:", function named() {}, () => 1);
console.log("errors:", new RangeError("out of range"));
print("print", "joins", "with tabs");
console.log();
console.log("done");
