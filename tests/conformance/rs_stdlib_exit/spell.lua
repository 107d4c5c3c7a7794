-- rs-llmspell scripts end with os.exit(1) on failure: the run ends with that code,
-- what was printed stays printed, and no pcall can swallow it.
local function check(ok, what)
  if not ok then
    print("FAILED: " .. what)
    os.exit(3)
  end
  print("ok: " .. what)
end

check(true, "first step")
local caught = pcall(function() check(false, "second step") end)
print("pcall swallowed os.exit: " .. tostring(caught))
