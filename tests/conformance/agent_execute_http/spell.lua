-- Agents over a real HTTP server (llm-katan's echo model): result shape, memory, reset.
for _, model in ipairs({"katan/echo-model", "katan_anthropic/echo-model"}) do
  local a = Agent.create({name = "echo-" .. model, model = model})
  local r = a:execute("hello there")
  print(model, r.text:find("User: hello there", 1, true) ~= nil, r.usage.total_tokens > 0,
        r.metadata.model == model, type(r.metadata.execution_time_ms), r.finish_reason ~= nil)
  print("memory", a:execute("second").text:find("messages=3", 1, true) ~= nil)
  a:reset()
  print("reset", a:execute("third").text:find("messages=1", 1, true) ~= nil)
end
