-- Error strategies: fail_fast raises a WorkflowError naming the step; continue records
-- the failure (success=false, error, failed_steps); retry runs a step again with backoff;
-- a step's retry_count applies under any strategy; validation errors are not retried
local function boom() error("boom") end
local function message(err) return (tostring(err):gsub("^[^\n]-:%d+: ", "")) end
local function located(text) return (text:gsub(" %(at spell%.%a+:%d+%)", " (at <file>:<line>)")) end

-- fail_fast (the default): the first failure ends the run; later steps do not run
local ran_after = false
local strict = Workflow.sequential{name = "conf-strict", steps = {
  {name = "ok", fn = function() return 1 end},
  {name = "bad", tool = "calculator", input = {input = "1 +"}},
  {name = "after", fn = function() ran_after = true end},
}}
local ok, err = pcall(strict.execute, strict)
print("fail_fast raised: " .. tostring(not ok) .. ", later step ran: " .. tostring(ran_after))
print(message(err))
local ok2, err2 = pcall(Workflow.sequential{name = "conf-strict-fn", steps = {{name = "f", fn = boom}}}.execute,
                        Workflow.get("conf-strict-fn"))
print(located(message(err2)))

-- continue: every step runs; the result tells what failed
local tolerant = Workflow.sequential{name = "conf-tolerant", error_strategy = "continue", steps = {
  {name = "bad", tool = "calculator", input = {input = "1 +"}},
  {name = "good", tool = "calculator", input = {input = "1 + 1"}},
  {name = "raises", fn = boom},
  {name = "kind", fn = function() error("StateError: no such key") end},
}}
local r = tolerant:execute()
print("success: " .. tostring(r.success) .. ", good: " .. r.outputs.good.text)
print("text: " .. r.text)
print("error: " .. r.error)
print("counts: " .. r.metadata.extra.total_steps .. " " .. r.metadata.extra.successful_steps .. " "
      .. r.metadata.extra.failed_steps)
for _, s in ipairs(r.steps) do
  print("record " .. s.name .. ": " .. tostring(s.success) .. " " .. located(s.error or "-"))
end

-- retry: a step that fails twice, then succeeds
local attempts = 0
local flaky = Workflow.sequential{name = "conf-retry", error_strategy = "retry", backoff_ms = 1, steps = {
  {name = "flaky", fn = function()
     attempts = attempts + 1
     if attempts < 3 then error("ProviderError: try again") end
     return "worked on attempt " .. attempts
   end},
}}
local fr = flaky:execute()
print("retry: " .. tostring(fr.success) .. " " .. fr.outputs.flaky .. " (" .. #fr.steps .. " record)")

-- retries spent: as fail_fast (max_retries 2: three attempts in all)
attempts = 0
local hopeless = Workflow.builder():name("conf-hopeless"):sequential():error_strategy("retry")
  :max_retries(2):backoff_ms(1)
  :add_step({name = "never", fn = function() attempts = attempts + 1; error("ToolError: still down") end})
  :build()
local ok3, err3 = pcall(hopeless.execute, hopeless)
print("retries spent: " .. tostring(not ok3) .. " after " .. attempts .. " attempts")
print(located(message(err3)))

-- a validation error is not retried
attempts = 0
local invalid = Workflow.sequential{name = "conf-invalid", error_strategy = "retry", backoff_ms = 1, steps = {
  {name = "v", fn = function() attempts = attempts + 1; error("ValidationError: bad input") end},
}}
local ok4, err4 = pcall(invalid.execute, invalid)
print("validation not retried: " .. attempts .. " attempt, " .. located(message(err4)))

-- a step's retry_count works under fail_fast and continue
attempts = 0
local own = Workflow.sequential{name = "conf-own-retry", backoff_ms = 1, steps = {
  {name = "twice", retry_count = 1, fn = function()
     attempts = attempts + 1
     if attempts == 1 then error("TimeoutError: slow") end
     return "second attempt"
   end},
}}
print("retry_count: " .. own:execute().outputs.twice .. " (" .. attempts .. " attempts)")
attempts = 0
local own2 = Workflow.sequential{name = "conf-own-retry2", error_strategy = "continue", backoff_ms = 1, steps = {
  {name = "down", retry_count = 2, fn = function() attempts = attempts + 1; error("ToolError: down") end},
  {name = "next", fn = function() return "ran" end},
}}
local o2 = own2:execute()
print("retry_count under continue: " .. attempts .. " attempts, " .. tostring(o2.success) .. " " .. o2.outputs.next)
