-- llmspell Lua prelude: runs once per engine, before any spell code, with the
-- privileges it then removes. It sandboxes the global environment, installs the
-- limit hook on every coroutine, and returns the bridge the Python side drives.
--
-- Host calls are requests: an async op yields (REQ, op_id, args...) out of the
-- running task coroutine and is resumed with the answer (or ERR, with the message
-- in errbox[1]). Sync ops call the host directly.

local H = ...
local sync_call, write, deadline_message = H.sync_call, H.write, H.deadline_message
local INSTRUCTION_LIMIT = H.instruction_limit or 0
local HOOK_EVERY = H.hook_every or 10000

local sethook = debug.sethook
local co_create, co_resume, co_yield = coroutine.create, coroutine.resume, coroutine.yield
local co_running, co_status, co_close = coroutine.running, coroutine.status, coroutine.close
local co_isyieldable = coroutine.isyieldable
local raw_collect = collectgarbage
local raw_pcall, raw_xpcall, raw_error, raw_load = pcall, xpcall, error, load
local select, type, rawequal, rawget, tostring = select, type, rawequal, rawget, tostring
local setmetatable, getmetatable = setmetatable, getmetatable
local tpack, tunpack, concat = table.pack, table.unpack, table.concat

-- REQ and DONE are strings so the Python side can compare them cheaply; spell code
-- cannot yield at a task's root, so it cannot forge them there. Inside a spell's own
-- coroutine a request travels marked with the private table NESTED_REQ instead, which
-- spell code cannot reach, so a coroutine yielding the REQ string is not a request.
local REQ, DONE = "\0llmspell:request", "\0llmspell:done"
local NESTED_REQ = {}
local ERR = {}
local errbox = {}
local roots = setmetatable({}, { __mode = "k" })
local dead = nil        -- set once a limit is hit: no pcall may swallow it afterwards
local executed = 0
local MEMORY_MESSAGE = "not enough memory"

-- Limits ---------------------------------------------------------------------------

local function hook()
  if dead then raw_error(dead, 2) end
  executed = executed + HOOK_EVERY
  if INSTRUCTION_LIMIT > 0 and executed > INSTRUCTION_LIMIT then
    dead = "LimitExceeded: instruction limit of " .. INSTRUCTION_LIMIT .. " exceeded"
    raw_error(dead, 2)
  end
  local late = deadline_message()
  if late then
    dead = late
    raw_error(dead, 2)
  end
end

local function guard(co)
  sethook(co, hook, "", HOOK_EVERY)
  return co
end

local function recheck(ok, ...)
  if not ok then
    local e = ...
    if dead then raw_error(e, 0) end
    if e == MEMORY_MESSAGE then
      dead = e
      raw_error(e, 0)
    end
  end
  return ok, ...
end

pcall = function(f, ...)
  return recheck(raw_pcall(f, ...))
end

xpcall = function(f, handler, ...)
  return recheck(raw_xpcall(f, function(e)
    if dead or e == MEMORY_MESSAGE then return e end
    return handler(e)
  end, ...))
end

-- Coroutines: a host request made inside a script's own coroutine travels outward to
-- the task's driver, and the answer travels back in. -----------------------------------

local function request(...)
  if roots[co_running()] then return co_yield(REQ, ...) end
  return co_yield(NESTED_REQ, ...)
end

local function forward(co, ok, ...)
  if ok and rawequal((...), NESTED_REQ) and co_status(co) == "suspended" then
    return forward(co, co_resume(co, request(select(2, ...))))
  end
  if not ok and (dead or (...) == MEMORY_MESSAGE) then
    dead = dead or MEMORY_MESSAGE
    raw_error((...), 0)
  end
  return ok, ...
end

local coroutine_lib = {
  create = function(f) return guard(co_create(f)) end,
  resume = function(co, ...) return forward(co, co_resume(co, ...)) end,
  status = co_status,
  running = co_running,
  close = co_close,
  isyieldable = function()
    local co = co_running()
    return not roots[co] and co_isyieldable()
  end,
  yield = function(...)
    if roots[co_running()] then
      raw_error("attempt to yield from outside a coroutine", 2)
    end
    return co_yield(...)
  end,
}
coroutine_lib.wrap = function(f)
  local co = coroutine_lib.create(f)
  local function unwrap(ok, ...)
    if not ok then raw_error((...), 0) end
    return ...
  end
  return function(...) return unwrap(coroutine_lib.resume(co, ...)) end
end

-- Output ---------------------------------------------------------------------------

local function print_(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  write(concat(parts, "\t") .. "\n")
end

-- Sandbox --------------------------------------------------------------------------

local safe_os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }

io = nil
debug = nil
python = nil
package = nil
require = nil
dofile = nil
loadfile = nil
collectgarbage = function(opt, ...)
  if opt == nil or opt == "collect" or opt == "count" or opt == "step" then
    return raw_collect(opt, ...)
  end
  raw_error("collectgarbage(" .. tostring(opt) .. ") is not allowed in a spell", 2)
end
string.dump = nil
os = safe_os
print = print_
coroutine = coroutine_lib
load = function(chunk, name, mode, env)
  if mode ~= nil and mode ~= "t" then
    return nil, "only text chunks can be loaded in a spell"
  end
  return raw_load(chunk, name, "t", env or _ENV)
end

-- The bridge -------------------------------------------------------------------------

local bridge = { REQ = REQ, ERR = ERR, DONE = DONE, errbox = errbox, rawget = rawget }

function bridge.sync_function(id)
  return function(...)
    local ok, v = sync_call(id, ...)
    if not ok then raw_error(v, 2) end
    return v
  end
end

function bridge.async_function(id, title)
  local not_here = "ValidationError: " .. title .. " cannot be called inside a callback "
    .. "that Lua runs from C (a table.sort comparator, a string.gsub function, a "
    .. "metamethod such as __tostring); call it before and use the value"
  return function(...)
    if not co_isyieldable() then raw_error(not_here, 2) end
    local v = request(id, ...)
    if rawequal(v, ERR) then raw_error(errbox[1], 2) end
    return v
  end
end

-- Object types: a proxy table with read-only-by-convention fields and methods called
-- with ':'. The handle key links the proxy to the host object.
local types = {}

function bridge.object_type(name, methods, iterator)
  local mt = { __name = name }
  local index = {}
  for mname, fn in pairs(methods) do
    index[mname] = function(self, ...)
      if getmetatable(self) ~= mt then
        raw_error("ValidationError: call " .. name .. " methods with ':' (obj:" .. mname .. "(...))", 2)
      end
      return fn(self, ...)
    end
  end
  mt.__index = index
  mt.__tostring = function(self) return name .. ": " .. tostring(rawget(self, "name") or "") end
  if iterator then
    -- iterable in a generic for: `for item in obj do` calls obj(state, control)
    local next_item = index[iterator]
    mt.__call = function(self) return next_item(self) end
  end
  types[name] = mt
end

-- Builders (Agent.builder()): setters only collect fields in Lua and return the builder;
-- build() is the op itself, called with the builder (its __fields) as the argument.
function bridge.builder(setters, build, appenders, presets)
  local index = { build = build }
  for setter, fieldname in pairs(setters) do
    index[setter] = function(self, value)
      rawget(self, "__fields")[fieldname] = value
      return self
    end
  end
  for setter, fieldname in pairs(appenders or {}) do
    index[setter] = function(self, value)
      local fields = rawget(self, "__fields")
      local list = fields[fieldname]
      if list == nil then list = {}; fields[fieldname] = list end
      list[#list + 1] = value
      return self
    end
  end
  for setter, preset in pairs(presets or {}) do
    local fieldname, value = preset[1], preset[2]
    index[setter] = function(self)
      rawget(self, "__fields")[fieldname] = value
      return self
    end
  end
  local mt = { __index = index, __name = "Builder" }
  return function()
    return setmetatable({ __fields = {} }, mt)
  end
end

function bridge.proxy(name, handle_key, id, fields)
  local obj = fields or {}
  obj[handle_key] = id
  return setmetatable(obj, types[name])
end

-- An error leaving a task must reach Python as a string: lupa turns a table (or nil)
-- error object into an empty message.
local function error_text(e)
  local te = type(e)
  if te == "string" then return e end
  if te == "number" then return tostring(e) end
  local mt = getmetatable(e)
  if mt and rawget(mt, "__tostring") then
    local ok, s = raw_pcall(tostring, e)
    if ok and type(s) == "string" then return s end
  end
  return "(error object is a " .. te .. " value)"
end

local function finish(ok, ...)
  if ok then return DONE, ... end
  raw_error(error_text((...)), 0)
end

-- The driver starts the returned function as a fresh thread (lupa creates it), so the
-- task installs its own limit hook and marks itself as a root before running f.
-- f runs under pcall (yieldable in 5.4) so that an error raised "at level 2" from a
-- tail call in f names no prelude location, and non-string error objects get a text.
function bridge.new_task(f)
  return co_create(function(args)
    sethook(hook, "", HOOK_EVERY)
    roots[co_running()] = true
    return finish(raw_pcall(f, tunpack(args, 1, args.n)))
  end)
end

-- True once a limit fired (set only by the hook or a memory error, never by spell code).
function bridge.dead()
  return dead ~= nil
end

function bridge.compile(source, name)
  return raw_load(source, "@" .. name, "t", _ENV)
end

return bridge
