-- error_handling.lua: catching errors by kind, raising your own, failures that are results. Run it with: llmspell run examples/error_handling.lua
-- An llmspell error is a Lua error whose message starts with its kind ("ValidationError: ..."),
-- possibly after a "file:line: " prefix. describe() keeps "Kind: message".
local function describe(err)
  return tostring(err):match("(%u%a*: .*)$") or tostring(err)
end

-- 1. API misuse raises; pcall catches it
local ok, err = pcall(State.get, 42)
print("1. " .. describe(err))
ok, err = pcall(Tool.execute, "no-such-tool", {})
print("1. " .. describe(err):match("^%u%a*"))

-- 2. raise a kind yourself: error("Kind: message")
local function fetch(url)
  if not url:match("^https://") then
    error("ValidationError: fetch: only https URLs are allowed")
  end
  return "fetched " .. url
end
ok, err = pcall(fetch, "http://example.com")
print("2. " .. describe(err))
print("2. " .. fetch("https://example.com"))

-- 3. a tool that fails doing its job returns success = false instead of raising
Tool.register({ name = "flaky", handler = function() error("ToolError: the service is down") end })
local r = Tool.execute("flaky", {})
print("3. success=" .. tostring(r.success) .. ", " .. r.error_kind .. ": " .. r.error)

-- 4. a bug in the spell (indexing nil) is caught the same way; it has no llmspell kind
ok = pcall(function() local t = nil; return t.field end)
print("4. caught a bug: " .. tostring(not ok))

-- 5. clean-up that always runs, then the error goes on to the caller
local function with_lock(fn)
  State.set("lock", true)
  local fn_ok, fn_err = pcall(fn)
  State.set("lock", nil)                  -- saving nil deletes the key
  if not fn_ok then error(fn_err, 0) end  -- re-raise unchanged
end
ok, err = pcall(with_lock, function() error("ToolError: step 2 failed") end)
print("5. lock held: " .. tostring(State.get("lock") ~= nil) .. ", " .. describe(err))

-- Limits (wall time, memory) cannot be caught: pcall returns, the run ends anyway.
print("done")
