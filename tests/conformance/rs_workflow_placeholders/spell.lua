-- rs-llmspell's placeholder spellings: {{step.NAME.result}} (and .output/.text) is what the
-- step produced; a bare {{name}} is a step's output, else an input key; anything else
-- ({{content}} for template-creator's own template) passes through unchanged
local wf = Workflow.builder()
  :name("conf-rs-blog")
  :sequential()
  :add_step({name = "draft", type = "tool", tool = "text-manipulator",
             input = {input = "tide pools", operation = "uppercase"}})
  :add_step({name = "blog", type = "tool", tool = "template-creator",
             input = {input = "{{content}}\n\n[Formatted for Blog]",
                      context = {content = "{{step.draft.result}}"}}})
  :add_step({name = "bare", fn = function(ctx) return ctx.input end,
             input = "{{draft}} by {{author}} / {{user.name}} / {{#if x}}"})
  :add_step({name = "forms", fn = function(ctx) return ctx.input end,
             input = "{{step.draft.output}}|{{step.draft.text}}|{{steps.draft.result.result}}"})
  :add_step({name = "fn", fn = function() return {n = 3} end})
  :add_step({name = "fn_result", fn = function(ctx) return ctx.input end,
             input = "{{step.fn.result}} {{step.fn.result.n}} {{fn}}"})
  :build()
local r = wf:execute({author = "Ada"})
print("success: " .. tostring(r.success))
print("blog: " .. r.outputs.blog.text:gsub("\n", "|"))
print("bare: " .. r.outputs.bare)
print("forms: " .. r.outputs.forms)
print("fn_result: " .. r.outputs.fn_result)

-- explicit roots stay strict: a typo is an error naming the placeholder
local strict = Workflow.builder():name("conf-rs-strict"):sequential()
  :add_step({name = "a", fn = function() return "A" end})
  :add_step({name = "b", fn = function(ctx) return ctx.input end, input = "{{step.aa.result}}"})
  :build()
local ok, err = pcall(strict.execute, strict)
print("typo raised: " .. tostring(not ok))
print((tostring(err):gsub("^[^\n]-:%d+: ", "")))
