-- Shared data: wf:set_shared_data / get_shared_data keep JSON values on the workflow for
-- conditions, {{shared.key}} and ctx.shared (a copy: a function changes shared data
-- through the workflow it closes over)
local wf
wf = Workflow.sequential{name = "conf-shared", steps = {
  {name = "read", fn = function(ctx) return ctx.shared.owner .. " " .. ctx.shared.limits.max end},
  {name = "copy", fn = function(ctx)
     ctx.shared.owner = "changed in the copy"          -- does not change the workflow's data
     wf:set_shared_data("stage", "copied")             -- this does
     return "ok"
   end},
  {name = "placeholder", fn = function(ctx) return ctx.input end,
   input = "owner={{shared.owner}} stage={{shared.stage}} max={{shared.limits.max}} first={{shared.tags.1}}"},
}}
wf:set_shared_data("owner", "ops")
wf:set_shared_data("limits", {max = 3})
wf:set_shared_data("tags", {"red", "green"})
print("get: " .. wf:get_shared_data("owner") .. " " .. wf:get_shared_data("limits").max)
print("missing: " .. tostring(wf:get_shared_data("nope") == nil))
local r = wf:execute()
print("read: " .. r.outputs.read)
print("placeholder: " .. r.outputs.placeholder)
print("after run: " .. wf:get_shared_data("owner") .. " " .. wf:get_shared_data("stage"))
local all = wf:get_shared_data()
local keys = {}
for k in pairs(all) do keys[#keys + 1] = k end
table.sort(keys)
print("all keys: " .. table.concat(keys, ","))
wf:set_shared_data("stage", nil)
print("nil removes: " .. tostring(wf:get_shared_data("stage") == nil))
local ok, err = pcall(wf.set_shared_data, wf, "f", {fn = print})
print("not JSON: " .. (tostring(err):match("(%a+Error)") or "accepted"))
-- each workflow has its own shared data
local other = Workflow.sequential{name = "conf-other", steps = {{name = "s", fn = function(ctx) return ctx.shared.owner == nil end}}}
print("separate: " .. tostring(other:execute().outputs.s))
