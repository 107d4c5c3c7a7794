-- A plain script error is a ScriptError
print("before the error")
local function fail(message)
  error(message)
end
fail("something broke")
print("never printed")
