-- Agent.builder():record_artifacts(true): answers become agent_output artifacts of the
-- current session; without a current session (or without the option) nothing is stored
local recorder = Agent.builder():name("scribe"):model("katan/echo-model"):record_artifacts(true):build()
local quiet = Agent.builder():name("quiet"):model("katan/echo-model"):build()
recorder:execute({text = "before any session"})
local sid = Session.create({name = "recorded"})
Session.set_current(sid)
recorder:execute({text = "first question"})
quiet:execute({text = "not recorded"})
recorder:execute({text = "second question"})
local list = Artifact.list(sid)
print("artifacts: " .. #list)
for _, a in ipairs(list) do
  local got = Artifact.get(sid, a)
  print(a.sequence .. " " .. a.type .. " " .. a.name .. " " .. got.metadata.agent .. " " .. got.metadata.input .. " " .. tostring(got.content:find(got.metadata.input, 1, true) ~= nil))
end
print("query: " .. #Artifact.query({type = "agent_output"}))
local ok, err = pcall(function()
  return Agent.builder():name("bad"):model("katan/echo-model"):record_artifacts("yes"):build()
end)
print("bad option: " .. tostring(ok) .. " " .. tostring(err):match("ValidationError: .*"))
