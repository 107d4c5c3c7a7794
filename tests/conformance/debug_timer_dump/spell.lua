-- Debug.timer returns a handle with stop/lap/elapsed (milliseconds); Debug.dump renders values
local t = Debug.timer("work")
print("name: " .. t.name)
local sum = 0
for i = 1, 1000 do sum = sum + i end
local lap = t:lap()
local elapsed = t:elapsed()
local stopped = t:stop()
print("lap is a number >= 0: " .. tostring(type(lap) == "number" and lap >= 0))
print("elapsed is a number >= 0: " .. tostring(type(elapsed) == "number" and elapsed >= 0))
print("stop >= elapsed: " .. tostring(stopped >= elapsed))
print("frozen after stop: " .. tostring(t:elapsed() == stopped))
-- without the object (t.stop() instead of t:stop()): a ValidationError naming the method
local ok, err = pcall(t.stop)
print("called without the object: " .. tostring(ok) .. " " .. err:match("^(%a+Error)")
  .. " names stop(...): " .. tostring(err:find("stop(...)", 1, true) ~= nil))
print(Debug.dump({b = 2, a = {1, "two", true}, c = {d = {}, e = "x"}}))
print(Debug.dump("text"))
print(Debug.dump(12))
print(Debug.dump(false))
print(Debug.dump({}))
