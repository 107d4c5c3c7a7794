// MCP errors are clear and catchable; the run goes on
async function tryIt(label, f, ...args) {
  try {
    const v = await f(...args);
    console.log(label + ": true " + v);
  } catch (e) {
    console.log(label + ": false " + e.name + ": " + e.message.split("\n")[0]);
  }
}
await tryIt("unknown server", MCP.connect, "tme");
await tryIt("missing command", MCP.connect, "gone");
await tryIt("unknown tool", MCP.callTool, "time", "get_curent_time", {});
await tryIt("bad args", Tool.execute, "time__get_current_time", {zone: "UTC"});
await tryIt("spell server", MCP.connect, {name: "mine", command: "mcp-server-time"});
await tryIt("bad name", MCP.connect, {name: "a__b", command: "x"});
await tryIt("bad spec", MCP.connect, {name: "x", command: "a", url: "http://127.0.0.1/mcp"});
await tryIt("configured name", MCP.connect, {name: "time", command: "x"});
await tryIt("bad type", MCP.connect, 42);
console.log("still running: " + (await Tool.exists("calculator")));
