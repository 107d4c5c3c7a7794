-- {{...}} placeholders in step inputs: input, input.key, steps.x(.text), steps.x.result.path
-- (arrays from 1), steps.x.output.path, shared.k; values become text (integers without
-- a decimal point, tables as JSON); also inside nested tables
local wf = Workflow.sequential{
  name = "conf-placeholders",
  steps = {
    {name = "whole", fn = function(ctx) return ctx.input end, input = "got {{input}}"},
    {name = "field", fn = function(ctx) return ctx.input end,
     input = "topic={{input.topic}} n={{input.count}} first={{input.tags.1}} second={{input.tags.2}}"},
    {name = "calc", tool = "calculator", input = {input = "{{input.count}} * 2"}},
    {name = "text", fn = function(ctx) return ctx.input end,
     input = "text={{steps.calc.text}} bare={{steps.calc}} result={{steps.calc.result.result}}"},
    {name = "listing", fn = function(ctx)
       return {items = {{id = "first"}, {id = "second"}}, total = 2, nested = {ok = true}}
     end},
    {name = "paths", fn = function(ctx) return ctx.input end,
     input = {
       a = "{{steps.listing.result.items.1.id}}",
       b = "{{steps.listing.result.items.2.id}}",
       total = "{{steps.listing.result.total}}",
       nested = {deep = "ok={{steps.listing.result.nested.ok}}"},
       list = {"{{steps.listing.output.items.2.id}}", "{{shared.owner}}"},
     }},
    {name = "output", fn = function(ctx) return ctx.input end,
     input = "tool={{steps.calc.output.metadata.tool}} type={{steps.calc.result.result_type}}"},
    {name = "json", fn = function(ctx) return ctx.input end,
     input = "{{steps.listing.result.nested}} {{input.tags}}"},
    {name = "fn_text", fn = function(ctx) return ctx.input end, input = "{{steps.field.text}}"},
    {name = "default", fn = function(ctx) return ctx.input.topic end},
  },
}
wf:set_shared_data("owner", "ops")
local r = wf:execute({topic = "tides", count = 21, tags = {"sea", "moon"}})
print("whole: " .. r.outputs.whole:sub(1, 5) .. " (json object: " .. tostring(r.outputs.whole:find('"topic":"tides"', 1, true) ~= nil) .. ")")
print("field: " .. r.outputs.field)
print("calc: " .. r.outputs.calc.text)
print("text: " .. r.outputs.text)
local p = r.outputs.paths
print("paths: " .. p.a .. " " .. p.b .. " " .. p.total .. " " .. p.nested.deep .. " " .. p.list[1] .. " " .. p.list[2])
print("output: " .. r.outputs.output)
print("json: " .. r.outputs.json)
print("fn_text: " .. r.outputs.fn_text)
print("default: " .. r.outputs.default)

-- a string workflow input: {{input}} is the string; a tool step without input gets
-- {input = <the string>}
local s = Workflow.sequential{name = "conf-string-input", steps = {
  {name = "upper", tool = "text-manipulator", input = {input = "{{input}}", operation = "uppercase"}},
  {name = "reversed", tool = "text-manipulator", input = {input = "{{steps.upper.text}}", operation = "reverse"}},
  {name = "plain", tool = "calculator"},
}}
local sr = s:execute("7 * 6")
print("string input: " .. sr.outputs.upper.text .. " / " .. sr.outputs.reversed.text .. " / " .. sr.outputs.plain.text)
