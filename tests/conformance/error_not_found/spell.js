// An uncaught NotFoundError: exit code 1
console.log("before the error");

await Tool.execute("no-such-tool", {});
console.log("never printed");
