-- Agents without a network call: builders, errors that name the fix, providers, as_tool.
local function try(label, f)
  local ok, err = pcall(f)
  if ok then print(label .. ": ok") else print(label .. ": " .. (tostring(err):match("(%a+Error: [^(]*)"))) end
end
try("no model", function() return Agent.builder():name("x"):build() end)
try("unknown provider", function() return Agent.create({model = "nowhere/m"}) end)
try("missing key", function() return Agent.create({model = "local_test/m"}) end)
try("unknown field", function() return Agent.create({model = "ollama/llama3", sytem_prompt = "x"}) end)
try("unknown tool", function() return Agent.create({model = "ollama/llama3", tools = {"no-such-tool"}}) end)
local a = Agent.builder():name("helper"):model("ollama/llama3.2"):description("answers"):build()
print(a.name, a.model)
print(Agent.get("helper").name, #Agent.list(), Agent.get("missing") == nil)
print(Provider.is_available("ollama"), Provider.is_available("local_test"), Provider.is_available("nowhere"))
local names = {}
for _, p in ipairs(Provider.list({all = true})) do names[p.name] = p.available end
print(names.openai ~= nil, names.anthropic ~= nil, names.groq ~= nil, names.local_test)
print(a:as_tool("ask-helper"), Tool.exists("ask-helper"))
