-- LocalLLM against a running OpenAI-compatible local server (llm-katan as llama.cpp),
-- then an agent on the model it lists.
local status = LocalLLM.status()
print("llamacpp: running=" .. tostring(status.llamacpp.running) .. " models=" .. status.llamacpp.models
  .. " health=" .. tostring(status.llamacpp.health))
print("ollama: running=" .. tostring(status.ollama.running))
for _, model in ipairs(LocalLLM.list()) do
  print(model.id .. " (" .. model.backend .. ") size: " .. math.floor(model.size_bytes / 1024 / 1024) .. " MB")
end
local info = LocalLLM.info("echo-model@llamacpp")
print("info: " .. info.id .. " " .. info.backend .. " loaded=" .. tostring(info.loaded))
local agent = Agent.builder():name("local"):model("llamacpp/" .. info.id):build()
print("reply: " .. tostring(agent:execute({text = "hi local"}).text:find("hi local", 1, true) ~= nil))
print("key shown: " .. tostring(JSON.stringify(status):find("Bearer", 1, true) ~= nil))
