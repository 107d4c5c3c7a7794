-- MCP servers' tools in the registry as SERVER__TOOL, started on first use
local s = MCP.servers()[1]
print("server: " .. s.name .. " " .. s.transport .. " " .. s.status .. " (" .. s.description .. ")")
local r = Tool.execute("time__get_current_time", {timezone = "UTC"})
print("success: " .. tostring(r.success) .. ", timezone: " .. r.result.timezone)
print("status now: " .. MCP.servers()[1].status)
local info = MCP.connect("time")
print("connect: " .. info.name .. " " .. info.server .. " " .. table.concat(info.tools, ","))
for _, t in ipairs(MCP.list_tools("time")) do
  print("tool: " .. t.name .. " = " .. t.mcp_name .. " (" .. t.schema.type .. ")")
end
local c = MCP.call_tool("time", "convert_time",
  {source_timezone = "UTC", time = "12:00", target_timezone = "Asia/Tokyo"})
print("convert: " .. c.result.target.timezone .. " " .. c.metadata.server .. " " .. c.metadata.mcp_tool)
local bad = Tool.execute("time__get_current_time", {timezone = "Nope/Nope"})
print("bad: " .. tostring(bad.success) .. " " .. bad.error_kind)
print("exists: " .. tostring(Tool.exists("time__convert_time")))
print("handle: " .. Tool.get("time__convert_time").category)
print("disconnect: " .. tostring(MCP.disconnect("time")) .. " " .. MCP.servers()[1].status)
local again = Tool.execute("time__get_current_time", {timezone = "Europe/Paris"})
print("again: " .. again.result.timezone)
