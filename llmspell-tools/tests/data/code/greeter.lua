-- Greetings in several languages.
local M = {}

function M.greet(name)
  return "Hello, " .. name
end

function M:farewell(name)
  return "Goodbye, " .. name
end

local function shout(text)
  return string.upper(text)
end

M.whisper = function(text)
  return string.lower(text)
end

return M
