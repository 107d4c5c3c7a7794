-- Parallel steps run concurrently, at most max_concurrency (default 4) at a time; the
-- records and outputs keep the declared order; under fail_fast a failure cancels the rest
local running, most = 0, 0
local function slow(label)
  return function(ctx)
    running = running + 1
    if running > most then most = running end
    Tool.execute("file-watcher", {path = ".", timeout_ms = 60})   -- waits 60 ms
    running = running - 1
    return label
  end
end
local function fan(name, limit)
  local steps = {}
  for i, label in ipairs({"a", "b", "c", "d"}) do
    steps[i] = {name = label, fn = slow(label:upper())}
  end
  return Workflow.parallel{name = name, max_concurrency = limit, steps = steps}
end

for _, limit in ipairs({1, 2}) do
  running, most = 0, 0
  local r = fan("conf-fan-" .. limit, limit):execute()
  print("max_concurrency " .. limit .. ": at most " .. most .. " at once, outputs "
        .. r.outputs.a .. r.outputs.b .. r.outputs.c .. r.outputs.d)
end
running, most = 0, 0
local r = fan("conf-fan-default", nil):execute()
print("default: at most " .. most .. " at once, " .. r.metadata.extra.successful_steps .. " succeeded")

-- the records keep the declared order, whatever order the steps finish in
local mixed = Workflow.parallel{name = "conf-order", error_strategy = "continue", steps = {
  {name = "slowest", tool = "file-watcher", input = {path = ".", timeout_ms = 100}},
  {name = "quick", fn = function() return "quick" end},
  {name = "broken", tool = "calculator", input = {input = "2 *"}},
  {name = "medium", fn = slow("medium")},
}}
local mr = mixed:execute()
local names = {}
for _, s in ipairs(mr.steps) do names[#names + 1] = s.name .. "=" .. tostring(s.success) end
print("records: " .. table.concat(names, " "))
print("text: " .. mr.text)
print("outputs: " .. tostring(mr.outputs.slowest.success) .. " " .. mr.outputs.quick .. " "
      .. mr.outputs.medium .. " broken-nil " .. tostring(mr.outputs.broken == nil))

-- fail_fast: the first failure raises (the cancelled step: workflow_cancel_lua)
local strict = Workflow.parallel{name = "conf-cancel", steps = {
  {name = "long", tool = "file-watcher", input = {path = ".", timeout_ms = 200}},
  {name = "fails", tool = "calculator", input = {input = "1 +"}},
}}
local ok, err = pcall(strict.execute, strict)
print("raised: " .. tostring(not ok) .. " " .. tostring(err:find("WorkflowError: Parallel workflow 'conf-cancel' failed at step 'fails': ToolError:", 1, true) ~= nil))
