-- Debug.timer(name?) → a timer object; its methods lap/elapsed/stop return milliseconds
local function busy()
  local x = 0
  for i = 1, 20000 do x = x + i % 7 end
  return x
end

local default = Debug.timer()
print("default name: " .. default.name)
local t = Debug.timer("steps")
print("name: " .. t.name)

busy()
local lap1 = t:lap()
busy()
local lap2 = t:lap()
local running = t:elapsed()
print("laps are numbers: " .. tostring(type(lap1) == "number" and type(lap2) == "number"))
print("laps are positive: " .. tostring(lap1 > 0 and lap2 > 0))
print("laps fit in elapsed: " .. tostring(lap1 + lap2 <= running + 1e-6))
print("elapsed grows: " .. tostring(t:elapsed() >= running))

local total = t:stop()
print("stop >= elapsed before: " .. tostring(total >= running))
busy()
print("stop again is the same: " .. tostring(t:stop() == total))
print("elapsed frozen: " .. tostring(t:elapsed() == total))

-- timers are independent
local other = Debug.timer("other")
busy()
print("other still runs: " .. tostring(other:elapsed() > 0))
print("first still frozen: " .. tostring(t:elapsed() == total))
print("default unaffected: " .. tostring(default:stop() >= total))

-- a timer is not a JSON value
local ok, err = pcall(State.set, "timer", t)
print("saving a timer: " .. tostring(ok) .. " " .. err:match("^(%a+Error)"))
