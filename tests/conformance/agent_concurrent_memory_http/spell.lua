-- Two calls of one agent at once (Agent.execute_all) each keep their turn: the next call
-- sends both turns (4 messages) plus its own (llm-katan's echo model counts them).
local a = Agent.create{name = "shared", model = "katan/echo-model"}
local both = Agent.execute_all({{agent = a, input = "first"}, {agent = a, input = "second"}})
print("concurrent answers: " .. #both)
local r = a:execute("third")
print("third call sent: " .. r.text:match("messages=(%d+)") .. " messages")
