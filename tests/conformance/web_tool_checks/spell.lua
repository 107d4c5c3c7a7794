-- Web and search tools check their parameters (and keys) before using the network
local function try(label, name, params)
  local ok, r = pcall(Tool.execute, name, params)
  if not ok then
    print(label .. ": raised " .. r)
  else
    print(label .. ": success=" .. tostring(r.success) .. " " .. r.error_kind .. ": " .. r.error)
  end
end
try("no input", "web-scraper", {})
try("unknown parameter", "web-scraper", {input = "https://example.com/", selectorz = "p"})
try("bad selector", "web-scraper", {input = "https://example.com/", selectors = {title = "h1["}})
try("bad region", "webpage-monitor", {input = "https://example.com/", selector = "div[x"})
try("too many results", "web-searcher", {input = "x", max_results = 99})
try("unknown provider", "web-searcher", {input = "x", provider = "altavista"})
try("missing key", "web-searcher", {input = "x", provider = "brave"})
try("depth", "sitemap-crawler", {input = "https://example.com/", max_depth = 9})
