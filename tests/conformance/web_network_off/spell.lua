-- Network tools raise SecurityError while the network is off (the default policy)
local calls = {
  {"web-scraper", {input = "https://example.com/"}},
  {"webpage-monitor", {input = "https://example.com/news", state_key = "conf-news"}},
  {"sitemap-crawler", {input = "https://example.com/"}},
  {"web-searcher", {input = "llmspell"}},
}
for _, call in ipairs(calls) do
  local ok, err = pcall(Tool.execute, call[1], call[2])
  print(call[1] .. ": " .. tostring(ok) .. " " .. err)
end
print("monitor saved nothing: " .. tostring(State.tool_get("webpage-monitor", "conf-news") == nil))
