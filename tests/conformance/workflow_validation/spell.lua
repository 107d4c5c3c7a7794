-- build() and the table forms check everything before anything runs: each problem is a
-- ValidationError (NotFoundError for a missing tool) naming the workflow, step and key
local ran = false
local function mark() ran = true; return 1 end
local function try(label, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then print(label .. ": built") return end
  local text = tostring(err):gsub("^[^\n]-:%d+: ", "")
  print(label .. ": " .. (text:gsub(", got None$", "")))   -- how "no value" reads is not specified
end

try("unknown key", Workflow.sequential, {name = "conf-v", stepz = {{name = "a", fn = mark}}})
try("unknown step key", Workflow.sequential, {name = "conf-v", steps = {{name = "a", tol = "calculator"}}})
try("missing tool", Workflow.sequential, {name = "conf-v", steps = {{name = "a", tool = "calculater"}}})
try("duplicate names", Workflow.parallel, {name = "conf-v", steps = {
  {name = "a", fn = mark}, {name = "a", fn = mark}}})
try("duplicate across branches", Workflow.conditional, {name = "conf-v", condition = {type = "always"},
  then_steps = {{name = "x", fn = mark}}, else_steps = {{name = "x", fn = mark}}})
try("no condition", Workflow.conditional, {name = "conf-v", then_steps = {{name = "a", fn = mark}}})
try("bad condition", Workflow.conditional, {name = "conf-v", condition = {type = "sometimes"},
  then_steps = {{name = "a", fn = mark}}})
try("condition without key", Workflow.conditional, {name = "conf-v", condition = {type = "shared_data_exists"},
  then_steps = {{name = "a", fn = mark}}})
try("loop without source", Workflow.loop, {name = "conf-v", steps = {{name = "a", fn = mark}}})
try("loop with two sources", Workflow.loop, {name = "conf-v", range = {["end"] = 2}, collection = {1},
  steps = {{name = "a", fn = mark}}})
try("loop without steps", Workflow.loop, {name = "conf-v", range = {["end"] = 2}})
try("range step 0", Workflow.loop, {name = "conf-v", range = {start = 1, ["end"] = 2, step = 0},
  steps = {{name = "a", fn = mark}}})
try("range without end", Workflow.loop, {name = "conf-v", range = {start = 1}, steps = {{name = "a", fn = mark}}})
try("no steps", Workflow.sequential, {name = "conf-v", steps = {}})
try("untyped step", Workflow.sequential, {name = "conf-v", steps = {{name = "a", input = "x"}}})
try("bad step type", Workflow.sequential, {name = "conf-v", steps = {{name = "a", type = "shell", fn = mark}}})
try("tool step without tool", Workflow.sequential, {name = "conf-v", steps = {{name = "a", type = "tool"}}})
try("fn not a function", Workflow.sequential, {name = "conf-v", steps = {{name = "a", type = "function", fn = "mark"}}})
try("agent step without agent", Workflow.sequential, {name = "conf-v", steps = {{name = "a", type = "agent"}}})
try("bad strategy", Workflow.sequential, {name = "conf-v", error_strategy = "ignore", steps = {{name = "a", fn = mark}}})
try("bad concurrency", Workflow.parallel, {name = "conf-v", max_concurrency = 0, steps = {{name = "a", fn = mark}}})
try("bad step timeout", Workflow.sequential, {name = "conf-v", steps = {{name = "a", fn = mark, timeout_ms = 0}}})
try("builder without type", function()
  return Workflow.builder():name("conf-v"):add_step({name = "a", fn = mark}):build()
end)
try("builder missing tool", function()
  return Workflow.builder():name("conf-v"):sequential():add_step({name = "b", tool = "no-such-tool"}):build()
end)
print("nothing ran: " .. tostring(not ran))
print("nothing built: " .. #Workflow.list())
