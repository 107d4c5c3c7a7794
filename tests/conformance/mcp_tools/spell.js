// MCP servers' tools in the registry as SERVER__TOOL, started on first use
const s = (await MCP.servers())[0];
console.log("server: " + s.name + " " + s.transport + " " + s.status + " (" + s.description + ")");
const r = await Tool.execute("time__get_current_time", {timezone: "UTC"});
console.log("success: " + r.success + ", timezone: " + r.result.timezone);
console.log("status now: " + (await MCP.servers())[0].status);
const info = await MCP.connect("time");
console.log("connect: " + info.name + " " + info.server + " " + info.tools.join(","));
for (const t of await MCP.listTools("time")) {
  console.log("tool: " + t.name + " = " + t.mcp_name + " (" + t.schema.type + ")");
}
const c = await MCP.callTool("time", "convert_time",
  {source_timezone: "UTC", time: "12:00", target_timezone: "Asia/Tokyo"});
console.log("convert: " + c.result.target.timezone + " " + c.metadata.server + " " + c.metadata.mcp_tool);
const bad = await Tool.execute("time__get_current_time", {timezone: "Nope/Nope"});
console.log("bad: " + bad.success + " " + bad.error_kind);
console.log("exists: " + (await Tool.exists("time__convert_time")));
console.log("handle: " + (await Tool.get("time__convert_time")).category);
const gone = await MCP.disconnect("time");
console.log("disconnect: " + gone + " " + (await MCP.servers())[0].status);
const again = await Tool.execute("time__get_current_time", {timezone: "Europe/Paris"});
console.log("again: " + again.result.timezone);
