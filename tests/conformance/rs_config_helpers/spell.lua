-- rs-llmspell's Config helpers: reading works (secrets never shown); changing the
-- configuration from a spell is refused (the operator owns it).
print("engine: " .. Config.getDefaultEngine())
print("network: " .. tostring(Config.isNetworkAccessAllowed()) .. " files: " .. tostring(Config.isFileAccessAllowed()))
local p = Config.getPermissions()
print("permissions: " .. tostring(p.network_access) .. " " .. tostring(p.process_spawn) .. " " .. tostring(p.file_access))
print("security: " .. tostring(Config.getSecurity().allow_network) .. " " .. tostring(Config.getSection("security").allow_network))
print("no section: " .. tostring(Config.getSection("nothing")))
print("tools: " .. type(Config.getTools()))
local names = {}
for _, n in ipairs(Config.listProviders()) do names[n] = true end
print("providers: " .. tostring(names.office) .. " " .. tostring(names.openai))
local office = Config.getProvider("office")
print("office: " .. office.base_url .. " " .. office.key_env .. " " .. tostring(office.key_found))
print("unknown provider: " .. tostring(Config.getProvider("nowhere")))
print("snapshot: " .. tostring(Config.snapshot().security.allow_network) .. " json: " .. tostring(JSON.parse(Config.toJson()).security.allow_network))
print("secret shown: " .. tostring(Config.toJson():find("office-secret", 1, true) ~= nil))
for _, writer in ipairs({"addAllowedPath", "setProvider", "setSecurity", "restoreSnapshot"}) do
  local ok, err = pcall(Config[writer], "x")
  print(writer .. ": " .. tostring(err):match("(%a+Error: [^(]*)"))
end
