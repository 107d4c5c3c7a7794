-- dofile, loadfile and require of Lua source files inside the allowed paths.
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end
Tool.execute("file-operations", { operation = "mkdir", path = "lib/text" })

write("helpers.lua", [[
loads = (loads or 0) + 1
local M = {}
function M.greet(name) return "hello, " .. name end
return M
]])
write("lib/text/init.lua", "return { upper = string.upper }\n")
write("lib/text/pad.lua", "return function(s, n) return s .. string.rep('.', n - #s) end\n")
write("config.lua", "return { model = 'local/echo', retries = 2 }\n")
write("cycle_a.lua", "local b = require('cycle_b')\nreturn b\n")
write("cycle_b.lua", "local a = require('cycle_a')\nreturn a\n")
write("broken.lua", "local M = {}\n\nerror('broken on purpose')\nreturn M\n")

-- require: package.path lookup, a module cache, dotted names and init.lua
local h = require("helpers")
print(h.greet("spell"))
print("cached: " .. tostring(require("helpers") == h) .. ", loaded once: " .. tostring(loads == 1))
print("package.loaded: " .. tostring(package.loaded.helpers == h))
package.path = package.path .. ";./lib/?.lua;./lib/?/init.lua"
print("init.lua: " .. require("text").upper("abc"))
print("dotted: " .. require("text.pad")("ab", 5))

-- dofile and loadfile
local cfg = dofile("config.lua")
print("dofile: " .. cfg.model .. " x" .. cfg.retries)
local chunk = loadfile("config.lua")
print("loadfile: " .. chunk().model)
local none, why = loadfile("missing.lua")
print("loadfile missing: " .. tostring(none) .. ", " .. tostring(why:find("missing.lua", 1, true) ~= nil))

-- errors: a missing module, a cycle, an error inside a module (its file and line)
local ok, err = pcall(require, "no_such_module")
print("missing: " .. tostring(ok) .. ", " .. err:match("module 'no_such_module' not found"))
ok, err = pcall(require, "cycle_a")
print("cycle: " .. err:match("circular require.*"))
ok, err = pcall(require, "broken")
print("error in module: " .. err)
