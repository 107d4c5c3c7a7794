-- links in the working directory to places outside the allowed paths:
-- link -> /proc/self/environ, procdir -> /proc/self
local calls = {
  read = function(p) return Tool.execute("file-operations", { operation = "read", path = p }) end,
  hash = function(p)
    return Tool.execute("hash-calculator", { operation = "hash", input_type = "file", file = p })
  end,
  search = function(p) return Tool.execute("file-search", { pattern = "PATH", path = p }) end,
}
for _, path in ipairs({ "link", "procdir/environ" }) do
  for _, op in ipairs({ "read", "hash", "search" }) do
    local ok, r = pcall(calls[op], path)
    local text = ok and ("NO ERROR " .. tostring(r.success) .. " " .. tostring(r.error)) or tostring(r)
    print(op .. " " .. path .. ": " .. text)
  end
end
