-- Agent steps over a real HTTP server (llm-katan's echo model answers with a header line
-- and "User: <the prompt>"): sequential and parallel agent workflows, placeholders from
-- agent text, metadata.extra.agent_outputs, conversation kept across steps
local function has(text, part) return text:find(part, 1, true) ~= nil end
local writer = Agent.create({name = "writer", model = "katan/echo-model"})
local editor = Agent.builder():name("editor"):model("katan/echo-model"):build()

local seq = Workflow.sequential{name = "conf-draft-edit", steps = {
  {name = "draft", agent = writer, input = "Write about {{input.topic}}."},
  {name = "edit", agent = editor, input = "Tighten this: {{steps.draft.text}}"},
  {name = "again", agent = "writer", input = "tokens so far: {{steps.draft.output.usage.total_tokens}}"},
}}
local r = seq:execute({topic = "tide pools"})
print("success: " .. tostring(r.success) .. " " .. r.text)
print("draft: " .. tostring(has(r.outputs.draft.text, "User: Write about tide pools.")))
print("edit saw the draft: " .. tostring(has(r.outputs.edit.text, "User: Tighten this: [echo] model=echo-model"))
      .. " " .. tostring(has(r.outputs.edit.text, "User: Write about tide pools.")))
print("agent result shape: " .. r.outputs.draft.model .. " " .. type(r.outputs.draft.usage.total_tokens))
print("tokens placeholder is a number: "
      .. tostring(r.outputs.again.text:match("User: tokens so far: %d+$") ~= nil))
print("writer kept its conversation: " .. tostring(has(r.outputs.again.text, "messages=3")))
local names = {}
for name in pairs(r.metadata.extra.agent_outputs) do names[#names + 1] = name end
table.sort(names)
print("agent_outputs: " .. table.concat(names, ","))
print("agent_outputs is the last text: "
      .. tostring(r.metadata.extra.agent_outputs.writer == r.outputs.again.text) .. " "
      .. tostring(r.metadata.extra.agent_outputs.editor == r.outputs.edit.text))

-- parallel agent steps; a step without input gets the workflow's input
local fan = Workflow.parallel{name = "conf-agent-fan", max_concurrency = 2, steps = {
  {name = "q1", agent = Agent.create({name = "a1", model = "katan/echo-model"}), input = "question one"},
  {name = "q2", agent = Agent.create({name = "a2", model = "katan/echo-model"}), input = "question two"},
  {name = "q3", agent = Agent.create({name = "a3", model = "katan/echo-model"})},
}}
local pr = fan:execute("the workflow input")
print("parallel: " .. tostring(pr.success) .. " " .. pr.metadata.extra.successful_steps)
print("q1: " .. tostring(has(pr.outputs.q1.text, "User: question one")))
print("q2: " .. tostring(has(pr.outputs.q2.text, "User: question two")))
print("q3 (the workflow input): " .. tostring(has(pr.outputs.q3.text, "User: the workflow input")))
local pn = {}
for name in pairs(pr.metadata.extra.agent_outputs) do pn[#pn + 1] = name end
table.sort(pn)
print("parallel agent_outputs: " .. table.concat(pn, ","))

-- an agent step with no input at all fails the step
local empty = Workflow.sequential{name = "conf-no-input", error_strategy = "continue",
  steps = {{name = "ask", agent = writer}}}
local er = empty:execute()
print("no input: " .. tostring(er.success) .. " " .. er.steps[1].error:match("^(%a+Error)"))
