-- Loops: range (both ends included, negative steps), collection, while_fn; break_when,
-- max_iterations; {{loop.index}} / {{loop.item}}; iterations and stopped_by
local function items(r)
  local out = {}
  for _, it in ipairs(r.iterations) do out[#out + 1] = it.index .. ":" .. tostring(it.item) end
  return table.concat(out, " ")
end

local squares = Workflow.loop{
  name = "conf-squares",
  range = {start = 1, ["end"] = 4},
  steps = {
    {name = "square", tool = "calculator", input = {input = "{{loop.item}} * {{loop.item}}"}},
    {name = "label", fn = function(ctx) return "#" .. ctx.loop.index .. "=" .. ctx.steps.square.text end},
    {name = "text", fn = function(ctx) return ctx.input end, input = "i={{loop.index}} item={{loop.item}}"},
  },
}
local r = squares:execute()
print("range: " .. items(r) .. " / " .. r.metadata.extra.iterations .. " " .. r.metadata.extra.stopped_by)
for _, it in ipairs(r.iterations) do print("  " .. it.outputs.label .. " " .. it.outputs.text) end
print("last outputs: " .. r.outputs.square.text .. " " .. r.outputs.label)
print("steps recorded: " .. #r.steps .. " " .. r.text)

-- a negative step (with_range, rs-llmspell's, excludes the end), and start defaulting to 1
local down = Workflow.builder():name("conf-down"):loop()
  :with_range({start = 10, ["end"] = 4, step = -3})
  :add_step({name = "v", fn = function(ctx) return ctx.loop.item end})
  :build()
print("negative: " .. items(down:execute()))
local from1 = Workflow.loop{name = "conf-from1", range = {["end"] = 3},
  steps = {{name = "v", fn = function(ctx) return ctx.loop.item end}}}
print("default start: " .. items(from1:execute()))
local none = Workflow.loop{name = "conf-none", range = {start = 5, ["end"] = 1},
  steps = {{name = "v", fn = function(ctx) return ctx.loop.item end}}}
local nr = none:execute()
print("empty range: " .. #nr.iterations .. " " .. nr.metadata.extra.stopped_by .. " " .. tostring(nr.success))

-- a collection of tables: {{loop.item.key}}
local people = Workflow.builder():name("conf-people"):loop()
  :with_collection({{name = "ana", age = 31}, {name = "bo", age = 42}, {name = "cy", age = 27}})
  :add_step({name = "greet", tool = "text-manipulator",
             input = {input = "{{loop.item.name}} is {{loop.item.age}}", operation = "uppercase"}})
  :build()
local pr = people:execute()
for _, it in ipairs(pr.iterations) do print("collection " .. it.index .. ": " .. it.outputs.greet.text) end
print("collection item: " .. pr.iterations[2].item.name .. " " .. pr.metadata.extra.stopped_by)

-- break_when sees this iteration's outputs
local until9 = Workflow.loop{
  name = "conf-break",
  range = {start = 1, ["end"] = 10},
  steps = {{name = "sq", tool = "calculator", input = {input = "{{loop.item}} ** 2"}}},
  break_when = function(ctx) return ctx.steps.sq.result.result >= 9 end,
}
local br = until9:execute()
print("break_when: " .. items(br) .. " " .. br.metadata.extra.stopped_by)

-- max_iterations bounds any loop
local capped = Workflow.builder():name("conf-capped"):loop()
  :with_collection({"a", "b", "c", "d"}):max_iterations(2)
  :add_step({name = "v", fn = function(ctx) return ctx.loop.item end})
  :build()
local cr = capped:execute()
print("max_iterations: " .. items(cr) .. " " .. cr.metadata.extra.stopped_by)

-- while_fn is called before each iteration with the last iteration's outputs
local seen = {}
local counter = Workflow.loop{
  name = "conf-while",
  while_fn = function(ctx)
    local last = ctx.steps.count
    seen[#seen + 1] = ctx.loop.index .. "/" .. tostring(last)
    return last == nil or last < 3
  end,
  steps = {{name = "count", fn = function(ctx) return ctx.loop.index end}},
}
local wr = counter:execute()
print("while_fn: " .. #wr.iterations .. " " .. wr.metadata.extra.stopped_by .. " last " .. wr.outputs.count)
print("while_fn saw: " .. table.concat(seen, " "))
print("while item: " .. tostring(wr.iterations[1].item))

-- a while_fn loop without max_iterations stops after 1000 iterations
local forever = Workflow.loop{name = "conf-forever", while_fn = function() return true end,
  steps = {{name = "n", fn = function(ctx) return ctx.loop.index end}}}
local fr = forever:execute()
print("default bound: " .. fr.metadata.extra.iterations .. " " .. fr.metadata.extra.stopped_by .. " " .. fr.outputs.n)
