// A limit hit inside a function the host calls (here a tool handler) ends the run with
// LimitExceeded and exit code 1: the caller gets no success=false result, try/catch
// cannot catch it
await Tool.register({
  name: "conf-spin",
  description: "Never returns",
  handler: (params) => {
    while (true) {}
  },
});
console.log("before the call");
try {
  const result = await Tool.execute("conf-spin", {});
  console.log("never printed: " + result.success);
} catch (err) {
  console.log("never printed: " + err.name);
}
