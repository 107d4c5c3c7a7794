-- Scoped helpers: workflow_get/workflow_list, agent_get/agent_set, tool_get/tool_set
State.agent_set("writer", "style", "terse")
State.agent_set("writer", "turns", 3)
State.agent_set("reviewer", "style", "kind")
print("agent writer style: " .. State.agent_get("writer", "style"))
print("agent writer turns: " .. State.agent_get("writer", "turns"))
print("agent reviewer style: " .. State.agent_get("reviewer", "style"))
print("agent missing: " .. tostring(State.agent_get("writer", "nope") == nil))
print("agent scope keys: " .. table.concat(State.list_keys("agent:writer"), ","))

State.tool_set("counter-tool", "calls", 7)
print("tool calls: " .. State.tool_get("counter-tool", "calls"))
print("tool scope: " .. State.load("tool:counter-tool", "calls"))

-- workflow step outputs live in scope "workflow:<id>"
State.save("workflow:wf-1", "fetch", {text = "fetched"})
State.save("workflow:wf-1", "analyze", {text = "analyzed"})
print("workflow step: " .. State.workflow_get("wf-1", "fetch").text)
print("workflow steps: " .. table.concat(State.workflow_list("wf-1"), ","))
print("unknown workflow steps: " .. #State.workflow_list("wf-none"))
print("unknown step is nil: " .. tostring(State.workflow_get("wf-1", "nope") == nil))
