-- Provider.list() is what a spell can use now (configured, or a key found);
-- Provider.list({all = true}) every preset and configured provider. Keys never show.
local providers = Provider.list()
print(string.format("Found %d provider(s)", #providers))
for i, provider in ipairs(providers) do
  local caps = provider.capabilities
  print(string.format("Provider #%d: %s enabled=%s streaming=%s key_found=%s", i, provider.name,
    tostring(provider.enabled), tostring(caps.supports_streaming), tostring(provider.key_found)))
end
local office = Provider.get("office")
print("office: " .. office.base_url .. " " .. office.default_model .. " " .. office.capabilities.available_models[1])
local all, names = Provider.list({all = true}), {}
for _, p in ipairs(all) do names[p.name] = p end
print("all has presets: " .. tostring(names.openai ~= nil and names.anthropic ~= nil and names.ollama ~= nil))
print("needs_key: " .. tostring(names.needs_key.available) .. " " .. names.needs_key.key_env .. " " .. tostring(names.needs_key.key_found))
print("switched_off: " .. tostring(names.switched_off.enabled))
print("groq key from: " .. names.groq.key_env)
print("caps: " .. tostring(Provider.getCapabilities("groq").supports_streaming) .. " " .. tostring(Provider.get_capabilities("nowhere")))
print("available: " .. tostring(Provider.isAvailable("groq")) .. " " .. tostring(Provider.is_available("openai")))
local ok, err = pcall(Provider.list, {every = true})
print("bad option: " .. tostring(err):match("(%a+Error: .*)"))
local text = JSON.stringify(all)
print("secret shown: " .. tostring(text:find("conformance-secret", 1, true) ~= nil))
