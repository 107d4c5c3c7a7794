-- llmspell Lua prelude: runs once per engine, before any spell code, with the
-- privileges it then removes. It sandboxes the global environment, installs the
-- limit hook on every coroutine, and returns the bridge the Python side drives.
--
-- Host calls are requests: an async op yields (REQ, op_id, args...) out of the
-- running task coroutine and is resumed with the answer (or ERR, with the message
-- in errbox[1]). Sync ops call the host directly.

local H = ...
local sync_call, write, work_check = H.sync_call, H.write, H.work_check
local INSTRUCTION_LIMIT = H.instruction_limit or 0
local HOOK_EVERY = H.hook_every or 10000
-- the Lua heap limit in bytes (0: none), counted like collectgarbage("count") does
local MEMORY_LIMIT = H.memory_limit or 0
local MEMORY_MB = H.memory_mb or 0

local sethook, getinfo = debug.sethook, debug.getinfo
local co_create, co_resume, co_yield = coroutine.create, coroutine.resume, coroutine.yield
local co_running, co_status, co_close = coroutine.running, coroutine.status, coroutine.close
local co_isyieldable = coroutine.isyieldable
local raw_collect = collectgarbage
local raw_pcall, raw_xpcall, raw_error, raw_load = pcall, xpcall, error, load
local select, type, rawequal, rawget, tostring = select, type, rawequal, rawget, tostring
local setmetatable, getmetatable = setmetatable, getmetatable
local tpack, tunpack, concat = table.pack, table.unpack, table.concat
local sformat, sbyte, ssub, sfind = string.format, string.byte, string.sub, string.find
local tointeger, rawlen, loaded = math.tointeger, rawlen, package.loaded

-- REQ and DONE are strings so the Python side can compare them cheaply; spell code
-- cannot yield at a task's root, so it cannot forge them there. Inside a spell's own
-- coroutine a request travels marked with the private table NESTED_REQ instead, which
-- spell code cannot reach, so a coroutine yielding the REQ string is not a request.
local REQ, DONE = "\0llmspell:request", "\0llmspell:done"
local NESTED_REQ = {}
local ERR = {}
local errbox = {}
-- FATAL: the host raised a limit (it ends the run, message in errbox[1]); BOXED: the
-- answer is in box[1] (a value the host placed there with the memory limit lifted)
local FATAL, BOXED = {}, {}
local box = { false }

local function unbox()
  local v = box[1]
  box[1] = false
  return v
end
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
  local late = work_check(0)
  if rawequal(late, BOXED) then late = unbox() end
  if late then
    dead = late
    raw_error(dead, 2)
  end
end

-- Work done inside one C call (string.rep, table.move, a pattern match) is invisible to
-- the count hook, so the wrappers below charge it here, in VM-instruction equivalents
-- ("steps"), before the call runs: past the instruction budget, or past what the time
-- left allows (work_check, in the host), the call is refused; and whenever the charged
-- work crosses the hook interval the wall clock and stop requests are checked, so a
-- cheap-looking loop of heavy calls still ends at the deadline.
local pending = 0
--: one call whose worst case is above this many steps asks the host about the time left
local BIG_WORK = 1000000

local function charge(steps, what, worst, detail)
  if dead then raw_error(dead, 3) end
  worst = worst or steps
  if INSTRUCTION_LIMIT > 0 and executed + worst > INSTRUCTION_LIMIT then
    dead = "LimitExceeded: instruction limit of " .. INSTRUCTION_LIMIT .. " exceeded"
    if worst > HOOK_EVERY then
      dead = dead .. sformat(" (refused up front: %s%s would take up to about %.3g steps)",
        what, detail or "", worst)
    end
    raw_error(dead, 3)
  end
  executed = executed + steps
  pending = pending + steps
  if pending >= HOOK_EVERY or worst > BIG_WORK then
    pending = 0
    local late = work_check(worst, what, detail)
    if rawequal(late, BOXED) then late = unbox() end
    if late then
      dead = late
      raw_error(dead, 3)
    end
  end
end

-- Refuse up front a result of `size` bytes that cannot fit in the memory left.
local function check_size(size, what)
  if MEMORY_LIMIT > 0 and size > 65536 then
    if size > MEMORY_LIMIT - raw_collect("count") * 1024 then
      raw_collect()
      if size > MEMORY_LIMIT - raw_collect("count") * 1024 then
        dead = sformat(
          "LimitExceeded: memory limit of %d MB exceeded (refused up front: %s would need about %.1f MB)",
          MEMORY_MB, what, size / 1048576)
        raw_error(dead, 3)
      end
    end
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

-- Bounded primitives -----------------------------------------------------------------
-- Lua runs __gc finalizers with every hook off (and again when the state closes), so a
-- spell may not create them: Lua 5.4 marks an object for finalization only when
-- setmetatable gives it a metatable whose raw __gc is set, so checking there is exact.

_ENV.setmetatable = function(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    raw_error("ValidationError: __gc metamethods are not allowed in a spell "
      .. "(finalizers run outside the limits)", 2)
  end
  return setmetatable(t, mt)
end

-- Keep the C functions reachable under their usual names for error messages ("bad
-- argument #1 to 'string.rep'"): Lua names a function by searching package.loaded.
local raw_string, raw_table, raw_utf8 = {}, {}, {}
for k, v in pairs(string) do raw_string[k] = v end
for k, v in pairs(table) do raw_table[k] = v end
for k, v in pairs(utf8) do raw_utf8[k] = v end
loaded.string, loaded.table, loaded.utf8 = raw_string, raw_table, raw_utf8

local raw_rep, raw_upper, raw_lower, raw_reverse = string.rep, string.upper, string.lower, string.reverse
local raw_format, raw_char = string.format, string.char
local raw_sfind, raw_match, raw_gmatch, raw_gsub = string.find, string.match, string.gmatch, string.gsub
local raw_move, raw_insert, raw_remove, raw_sort = table.move, table.insert, table.remove, table.sort
local raw_unpack, raw_concat = table.unpack, table.concat
local raw_uchar, raw_ulen, raw_uoffset, raw_ucodepoint = utf8.char, utf8.len, utf8.offset, utf8.codepoint

-- #v for a string argument, numbers converted as the C functions convert them
local function arglen(v)
  local tv = type(v)
  if tv == "string" then return #v end
  if tv == "number" then return #(v .. "") end
  return nil
end

-- The C functions run under raw_pcall so that their own errors name the spell's line
-- (not the prelude's) and the function as usual ("bad argument #1 to 'string.rep'");
-- a limit or a memory error raised inside (a gsub callback's) passes through unchanged.
local function rethrow(e, level)
  if dead then raw_error(e, 0) end
  if e == MEMORY_MESSAGE then
    dead = e
    raw_error(e, 0)
  end
  if type(e) ~= "string" or sfind(e, "^[^\n:]+:%d+: ") then raw_error(e, 0) end
  raw_error(e, level)
end

local function pass(ok, ...)
  if ok then return ... end
  rethrow((...), 3) -- pass is tail-called by a wrapper: 1 rethrow, 2 pass, 3 the spell
end

-- steps per byte a primitive produces or scans, and per table element it moves
local COPY_BYTES_PER_STEP = 4

string.rep = function(s, n, sep)
  local ls, k = arglen(s), type(n) == "number" and tointeger(n)
  local lsep = sep == nil and 0 or arglen(sep)
  if ls and k and lsep then
    if k <= 0 or ls + lsep == 0 then return "" end
    local size = (ls + 0.0) * k + (lsep + 0.0) * (k - 1)
    check_size(size, "string.rep")
    charge(size / COPY_BYTES_PER_STEP + k, "string.rep")
    return raw_rep(s, n, sep) -- (well-typed and sized: it cannot raise an error)
  end
  return pass(raw_pcall(raw_rep, s, n, sep))
end

local function per_byte(raw, name)
  return function(s, ...)
    local ls = arglen(s)
    if ls then
      if ls > 64 then
        check_size(ls, name)
        charge(ls, name)
      end
      return raw(s) -- (a string or number argument: it cannot raise an error)
    end
    return pass(raw_pcall(raw, s, ...))
  end
end
string.upper = per_byte(raw_upper, "string.upper")
string.lower = per_byte(raw_lower, "string.lower")
string.reverse = per_byte(raw_reverse, "string.reverse")

string.format = function(fmt, ...)
  local ok, out = raw_pcall(raw_format, fmt, ...)
  if not ok then rethrow(out, 3) end
  local lo = #out
  if lo > 64 then charge(lo, "string.format") end
  return out
end

-- many values at once: bounded by the C stack (about a million), charged per value
local function per_value(raw, name)
  return function(...)
    local n = select("#", ...)
    if n > 64 then charge(n, name) end
    return pass(raw_pcall(raw, ...))
  end
end
string.char = per_value(raw_char, "string.char")
utf8.char = per_value(raw_uchar, "utf8.char")

-- a slice [i, j] of a string or table of length len, with Lua's defaults and negative
-- positions; the number of elements it covers (0 when empty or not numbers)
local function span(len, i, j, i_default, j_default)
  i = i == nil and i_default or i
  j = j == nil and j_default or j
  if type(i) ~= "number" or type(j) ~= "number" then return 0 end
  if i < 0 then i = len + i + 1 end
  if j < 0 then j = len + j + 1 end
  if j < i then return 0 end
  return (j + 0.0) - i + 1
end

string.byte = function(s, i, j)
  local ls = arglen(s)
  if ls and j ~= nil then
    local n = span(ls, i, j, 1, 1)
    if n > 64 then charge(n, "string.byte") end
  end
  return pass(raw_pcall(sbyte, s, i, j))
end

utf8.len = function(s, i, j, lax)
  local ls = arglen(s)
  if ls and ls > 256 then charge(ls / COPY_BYTES_PER_STEP, "utf8.len") end
  return pass(raw_pcall(raw_ulen, s, i, j, lax))
end
utf8.offset = function(s, n, i)
  local ls = arglen(s)
  if ls and ls > 256 then charge(ls / COPY_BYTES_PER_STEP, "utf8.offset") end
  return pass(raw_pcall(raw_uoffset, s, n, i))
end
utf8.codepoint = function(s, i, j, lax)
  local ls = arglen(s)
  if ls and j ~= nil then
    local n = span(ls, i, j, 1, 1)
    if n > 64 then charge(n, "utf8.codepoint") end
  end
  return pass(raw_pcall(raw_ucodepoint, s, i, j, lax))
end

local STEPS_PER_ELEMENT = 4

table.move = function(a1, f, e, t, a2)
  if type(f) == "number" and type(e) == "number" and e >= f then
    local n = (e + 0.0) - f + 1
    if n > 64 then charge(n * STEPS_PER_ELEMENT, "table.move") end
  end
  return pass(raw_pcall(raw_move, a1, f, e, t, a2))
end

-- #list evaluated once (a __len metamethod is Lua code the hook sees)
local function elements(first, last)
  if type(first) ~= "number" or type(last) ~= "number" or last < first then return 0 end
  return (last + 0.0) - first + 1
end

table.concat = function(list, sep, i, j)
  if type(list) == "table" then
    if j == nil then j = #list end
    local n = elements(i == nil and 1 or i, j)
    if n > 64 then charge(n * STEPS_PER_ELEMENT, "table.concat") end
  end
  local ok, out = raw_pcall(raw_concat, list, sep, i, j)
  if not ok then rethrow(out, 3) end
  local lo = #out
  if lo > 256 then charge(lo / COPY_BYTES_PER_STEP, "table.concat") end
  return out
end

table.unpack = function(list, i, j)
  if type(list) == "table" then
    if j == nil then j = #list end
    local n = elements(i == nil and 1 or i, j)
    if n > 64 then charge(n * STEPS_PER_ELEMENT, "table.unpack") end
  end
  return pass(raw_pcall(raw_unpack, list, i, j))
end

-- insert and remove shift elements one by one through the table's metamethods; for a
-- table with a metatable (whose __len could say anything) they run as Lua code, which
-- the count hook sees, instead of the C loop
local function lua_insert(list, pos, v)
  local e = #list + 1
  if type(pos) ~= "number" or pos < 1 or pos > e then
    raw_error("bad argument #2 to 'insert' (position out of bounds)", 2)
  end
  for k = e, pos + 1, -1 do list[k] = list[k - 1] end
  list[pos] = v
end

table.insert = function(list, ...)
  local nargs = select("#", ...)
  if nargs == 1 and type(list) == "table" and getmetatable(list) == nil then
    return raw_insert(list, ...) -- appending to a plain table cannot raise an error
  end
  if nargs == 2 and type(list) == "table" then
    if getmetatable(list) ~= nil then return lua_insert(list, ...) end
    local pos = ...
    if type(pos) == "number" then
      local n = rawlen(list) - pos
      if n > 64 then charge(n * STEPS_PER_ELEMENT, "table.insert") end
    end
  end
  return pass(raw_pcall(raw_insert, list, ...))
end

local function lua_remove(list, ...)
  local size = #list
  local pos = ...
  if pos == nil then pos = size end
  if type(pos) ~= "number" then
    raw_error("bad argument #2 to 'remove' (number expected, got " .. type(pos) .. ")", 2)
  end
  if pos ~= size and (pos < 1 or pos > size + 1) then
    raw_error("bad argument #2 to 'remove' (position out of bounds)", 2)
  end
  local v = list[pos]
  while pos < size do
    list[pos] = list[pos + 1]
    pos = pos + 1
  end
  list[pos] = nil
  return v
end

table.remove = function(list, ...)
  if type(list) == "table" then
    if getmetatable(list) ~= nil then return lua_remove(list, ...) end
    local pos = ...
    if type(pos) == "number" then
      local n = rawlen(list) - pos
      if n > 64 then charge(n * STEPS_PER_ELEMENT, "table.remove") end
    end
  end
  return pass(raw_pcall(raw_remove, list, ...))
end

table.sort = function(list, cmp)
  if type(list) == "table" then
    local n = #list
    if n > 64 then
      local lg = 1
      while 2 ^ lg < n do lg = lg + 1 end
      charge(n * lg * STEPS_PER_ELEMENT, "table.sort")
    end
  end
  return pass(raw_pcall(raw_sort, list, cmp))
end

-- Patterns. Lua's matcher backtracks: a quantified item ('*', '+', '-') retries the
-- rest of the pattern once per character of the run it can cover. The upper estimate
-- of the steps one call may take folds the pattern from the right:
--   end of pattern: 1; a single-character item: w + rest; '?': w + 2 * rest;
--   '*' or '+': r * w + (r + 1) * rest;  '-': (r + 1) * (w + rest);
--   '%b' or a back-reference: n + rest;
-- where n is the subject's length, r the longest run of characters in the subject the
-- item's class matches (n for '.'), and w the cost of one class test (the length of a
-- [set] longer than 3 characters, else 1). A quantifier followed only by ')' succeeds
-- as soon as it is reached, so it costs 1 there (its run, consumed by the match, is
-- added once: n * w). An unanchored search multiplies by the n + 1 start positions.
-- A pattern with no special characters (or plain = true) is a substring search: n plus
-- n * #pattern / 32. The call is refused when the estimate exceeds the instruction
-- budget or the time left; it is charged the smaller of the estimate and 4 steps per
-- subject byte.
local SPECIALS = "[%^%$%*%+%?%.%(%)%[%]%%%-]"
local pattern_cache, pattern_cached = {}, 0
local REFINE_ABOVE = 100000

local function class_end(p, i, m)
  local c = sbyte(p, i)
  if c == 37 then -- '%'
    if i >= m then return nil end
    return i + 2
  elseif c == 91 then -- '['
    local j = i + 1
    if sbyte(p, j) == 94 then j = j + 1 end
    repeat
      if j > m then return nil end
      local cc = sbyte(p, j)
      j = j + 1
      if cc == 37 then j = j + 1 end
    until sbyte(p, j) == 93
    return j + 1
  end
  return i + 1
end

-- items of pattern p: a list of {kind, class, w}, kinds "one", "opt", "max", "min",
-- "lin"; false when malformed (the C function then raises its own error)
local function analyze(p)
  local m = #p
  local items = {}
  local anchored = sbyte(p, 1) == 94
  local i = anchored and 2 or 1
  while i <= m do
    local c = sbyte(p, i)
    if c == 40 or c == 41 then -- '(' ')'
      i = i + 1
    elseif c == 36 and i == m then -- final '$'
      items[#items + 1] = { "one", nil, 1 }
      i = i + 1
    elseif c == 37 and sbyte(p, i + 1) == 98 then -- %bxy
      items[#items + 1] = { "lin", ssub(p, i + 2, i + 3), 1 }
      i = i + 4
    elseif c == 37 and sbyte(p, i + 1) == 102 then -- %f[set]
      local e = class_end(p, i + 2, m)
      if not e then return false end
      items[#items + 1] = { "one", nil, e - i > 5 and e - i or 1 }
      i = e
    elseif c == 37 and (sbyte(p, i + 1) or 0) >= 48 and sbyte(p, i + 1) <= 57 then -- %1
      items[#items + 1] = { "lin", nil, 1 }
      i = i + 2
    else
      local e = class_end(p, i, m)
      if not e or e > m + 1 then return false end
      local w = e - i > 3 and e - i or 1
      local q = sbyte(p, e)
      local cls = ssub(p, i, e - 1)
      if q == 42 or q == 43 then -- '*' '+'
        items[#items + 1] = { "max", cls, w }
        i = e + 1
      elseif q == 45 then -- '-'
        items[#items + 1] = { "min", cls, w }
        i = e + 1
      elseif q == 63 then -- '?'
        items[#items + 1] = { "opt", cls, w }
        i = e + 1
      else
        items[#items + 1] = { "one", cls, w }
        i = e
      end
    end
  end
  -- a quantifier followed only by ')' closes the match as soon as it is reached
  local last = items[#items]
  local tail = last and (last[1] == "max" or last[1] == "min")
  -- a quick upper bound for short subjects: base * (n + 2) ^ deg
  local deg, base = anchored and 0 or 1, m + 1
  for idx = 1, #items do
    local kind, w = items[idx][1], items[idx][3]
    if kind == "lin" or ((kind == "max" or kind == "min") and not (tail and idx == #items)) then
      deg = deg + 1
    elseif kind == "opt" then
      base = base * 2
    end
    base = base * w
  end
  return { anchored = anchored, items = items, tail = tail, m = m, deg = deg, base = base + m }
end

-- the longest run of characters of class cls in s (a linear scan in C)
local function longest_run(s, cls, n)
  if cls == "." then return n end
  if #cls == 1 and not sfind(cls, "^%w") then cls = "%" .. cls end
  local pat, best, init = cls .. "+", 0, 1
  while true do
    local a, b = raw_sfind(s, pat, init)
    if not a then return best end
    if b - a + 1 > best then best = b - a + 1 end
    init = b + 1
  end
end

-- a character as a pattern item matching itself
local function literal(c)
  return sfind(c, "^%w") and c or "%" .. c
end

-- the longest stretch %bxy scans from one start: to the matching y, or to the end of
-- the subject when the x is never closed (a linear pass over the x and y in s)
local function balance_span(s, xy, n)
  local x, y = ssub(xy, 1, 1), ssub(xy, 2, 2)
  if #xy < 2 then return n end
  local best, open = 0, {}
  if x == y then
    local last = nil
    for pos in raw_gmatch(s, "()" .. literal(x)) do
      if last and pos - last + 1 > best then best = pos - last + 1 end
      last = pos
    end
    if last and n - last + 1 > best then best = n - last + 1 end
    return best
  end
  for pos, c in raw_gmatch(s, "()([" .. literal(x) .. literal(y) .. "])") do
    if c == y then
      local top = #open
      if top > 0 then
        local span = pos - open[top] + 1
        if span > best then best = span end
        open[top] = nil
      end
    else
      open[#open + 1] = pos
    end
  end
  if open[1] and n - open[1] + 1 > best then best = n - open[1] + 1 end
  return best
end

local function estimate(info, s, n, refine)
  local items = info.items
  local rest = 1.0 -- floats: the estimate may exceed any integer
  n = n + 0.0
  local tail_w = 0
  for idx = #items, 1, -1 do
    local item = items[idx]
    local kind, w = item[1], item[3]
    if kind == "one" then
      rest = w + rest
    elseif kind == "lin" then
      rest = (refine and item[2] and balance_span(s, item[2], n) or n) + rest
    elseif kind == "opt" then
      rest = w + 2 * rest
    elseif idx == #items and info.tail then
      rest, tail_w = 1, w
    else
      local r = refine and longest_run(s, item[2], n) or n
      if kind == "max" then
        rest = r * w + (r + 1) * rest
      else
        rest = (r + 1) * (w + rest)
      end
    end
  end
  local starts = info.anchored and 1 or n + 1
  return starts * rest + n * tail_w
end

local PLAIN = {}

local function pattern_steps(s, p, plain)
  local n, m = #s, #p
  local info = pattern_cache[p]
  if info == nil then
    info = sfind(p, SPECIALS) and analyze(p) or PLAIN
    if pattern_cached >= 512 then pattern_cache, pattern_cached = {}, 0 end
    pattern_cache[p] = info
    pattern_cached = pattern_cached + 1
  end
  if plain or info == PLAIN then
    return n / COPY_BYTES_PER_STEP, n + n * m / 32
  end
  if not info then return 0, 0 end
  local quick = info.base * (n + 2.0) ^ info.deg
  if quick <= 256 then return 0, quick end
  local worst = estimate(info, s, n, false)
  if worst > REFINE_ABOVE then worst = estimate(info, s, n, true) end
  local linear = 4 * (n + m)
  return worst < linear and worst or linear, worst
end

local function pattern_detail(s, p)
  local shown = #p > 40 and ssub(p, 1, 40) .. "..." or p
  return sformat(" with pattern %q on a %d-byte subject", shown, #s)
end

local function wrap_pattern(raw, name)
  return function(s, p, init, plain)
    if type(s) == "string" and type(p) == "string" then
      local steps, worst = pattern_steps(s, p, name == "string.find" and plain)
      if worst > 256 then
        charge(steps, name, worst, worst > BIG_WORK and pattern_detail(s, p) or nil)
      end
    end
    return pass(raw_pcall(raw, s, p, init, plain))
  end
end
string.find = wrap_pattern(raw_sfind, "string.find")
string.match = wrap_pattern(raw_match, "string.match")
string.gmatch = wrap_pattern(raw_gmatch, "string.gmatch")

string.gsub = function(s, p, repl, n)
  if type(s) == "string" and type(p) == "string" then
    local steps, worst = pattern_steps(s, p, false)
    if worst > 256 then
      charge(steps, "string.gsub", worst, worst > BIG_WORK and pattern_detail(s, p) or nil)
    end
  end
  local ok, out, count = raw_pcall(raw_gsub, s, p, repl, n)
  if not ok then rethrow(out, 3) end
  local lo = #out
  if lo > 256 then charge(lo / COPY_BYTES_PER_STEP, "string.gsub") end
  return out, count
end

-- The standard library spells use, on the host's policies ----------------------------
-- arg, os.exit, os.getenv, dofile/loadfile/require of Lua source inside the allowed
-- paths, and io on the file policy (llmspell_lua/stdlib.py and files.py hold the host
-- side). std(name, ...) answers true, results... or false, message[, fatal].

local std = H.std
-- the largest file a spell may write through io ([security] max_input_bytes): a bigger
-- string is refused before it is copied to the host
local MAX_FILE_BYTES = H.max_input_bytes or 0
local raw_ulen_, raw_uchar_, raw_gsub_ = utf8.len, utf8.char, string.gsub
local math_type = math.type

-- the level (for error) of the innermost frame that is the spell's own code, counted
-- from the caller of spell_level
local PRELUDE_SOURCE = "=llmspell-prelude"
local function spell_level()
  for level = 3, 40 do
    local info = getinfo(level, "S")
    if info == nil then return 0 end
    if info.what ~= "C" and info.source ~= PRELUDE_SOURCE then return level - 1 end
  end
  return 0
end

local function std_try(name, ...)
  local r = tpack(std(name, ...))
  if not r[1] then
    if r[3] then -- a limit the host raised (the deadline while io.read waited, ...)
      dead = r[2]
      raw_error(dead, spell_level())
    end
    return false, r[2]
  end
  for i = 2, r.n do
    if rawequal(r[i], BOXED) then r[i] = unbox() end
  end
  return tunpack(r, 1, r.n)
end

-- std_call raises the host's error at the spell's line: call it from an API function
-- the spell called directly, and never as a tail call (level 1 std_call, 2 the API
-- function, 3 the spell)
local function std_call(name, ...)
  local r = tpack(std_try(name, ...))
  if not r[1] then raw_error(r[2], 3) end
  return tunpack(r, 2, r.n)
end

-- a Lua string for the host: UTF-8 text as it is; other bytes as the code points 0-255
-- (the host encodes them back as Latin-1), so binary data crosses unchanged
local function for_host(s)
  if raw_ulen_(s) then return s, false end
  return (raw_gsub_(s, "[\128-\255]", function(c) return raw_uchar_(sbyte(c)) end)), true
end

-- arg: the script's positional arguments (the same values as ARGS)
arg = H.arg

safe_os.exit = function(code, close)
  local ok, msg = std_try("exit", code)
  if not ok then raw_error(msg, 2) end
  dead = msg
  raw_error(dead, 2)
end

safe_os.getenv = function(name)
  local v = std_call("getenv", name)
  return v
end

-- a chunk of source text, charged by its size before the (uninterruptible) parser runs
local function compile_source(text, chunkname, what, env)
  charge(#text, what)
  return raw_load(text, "@" .. chunkname, "t", env or _ENV)
end

dofile = function(path)
  if path == nil then
    raw_error("dofile without a file name (standard input) is not available in a spell", 2)
  end
  local name, text = std_call("source", path, "dofile")
  local fn, err = compile_source(text, name, "dofile")
  if not fn then raw_error(err, 0) end
  return fn()
end

loadfile = function(path, mode, env)
  if path == nil then
    return nil, "loadfile without a file name (standard input) is not available in a spell"
  end
  if mode ~= nil and not sfind(tostring(mode), "t", 1, true) then
    return nil, "attempt to load a text chunk (mode is '" .. tostring(mode) .. "'): only "
      .. "text chunks can be loaded in a spell"
  end
  local ok, name, text = std_try("source", path, "loadfile")
  if not ok then return nil, name end
  return compile_source(text, name, "loadfile", env)
end

local spell_loaded = {}
local loading, loading_order = {}, {}
local spell_package = {
  path = H.package_path, cpath = "", loaded = spell_loaded, preload = {},
  config = "/\n;\n?\n!\n-\n",
}
package = spell_package

spell_package.searchpath = function(name, path, sep, rep)
  if type(name) ~= "string" or type(path) ~= "string" then
    raw_error("bad argument to 'package.searchpath' (string expected)", 2)
  end
  local ok, found = std_try("search", name, path)
  if ok then return found end
  return nil, found
end

local function finish_require(name, from, ok, ...)
  loading[name] = nil
  loading_order[#loading_order] = nil
  if not ok then raw_error((...), 0) end
  local res = ...
  if res ~= nil then spell_loaded[name] = res end
  if spell_loaded[name] == nil then spell_loaded[name] = true end
  return spell_loaded[name], from
end

require = function(name)
  if type(name) ~= "string" then
    raw_error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
  end
  local v = spell_loaded[name]
  if v ~= nil then return v end
  if loading[name] then
    raw_error(sformat("circular require: module '%s' is required while it is still "
      .. "loading (%s -> %s)", name, concat(loading_order, " -> "), name), 2)
  end
  local loader, from = spell_package.preload[name], ":preload:"
  if loader == nil then
    local path = spell_package.path
    local ok, chunkname, text = std_try("search", name, path)
    if not ok then raw_error(chunkname, 2) end
    local fn, err = compile_source(text, chunkname, "require")
    if not fn then
      raw_error(sformat("error loading module '%s' from file '%s':\n\t%s", name, chunkname, err), 2)
    end
    loader, from = fn, chunkname
  end
  loading[name] = true
  loading_order[#loading_order + 1] = name
  return finish_require(name, from, raw_pcall(loader, name, from))
end

-- io ---------------------------------------------------------------------------------

local file_ids = setmetatable({}, { __mode = "k" }) -- file proxy -> host id (false: closed)
local FILE = {}
local file_mt = { __name = "FILE*", __index = FILE }
local STD = { stdin = true, stdout = true, stderr = true }

local function new_file(id)
  local f = setmetatable({}, file_mt)
  file_ids[f] = id
  return f
end

local function id_of(f, fname)
  local id = file_ids[f]
  if id == nil then
    raw_error("bad argument #1 to '" .. fname .. "' (FILE* expected, got " .. type(f) .. ")", 3)
  end
  if id == false then raw_error("attempt to use a closed file", 3) end
  return id
end

file_mt.__tostring = function(f)
  if file_ids[f] == false then return "file (closed)" end
  return "file (" .. tostring(file_ids[f]) .. ")"
end

local function read_formats(id, ...)
  local n = select("#", ...)
  if n == 0 then
    if id == "stdin" then return std_try("read_stdin", "l") end
    return std_try("read", id, "l")
  end
  local out = { n = 0 }
  for i = 1, n do
    local fmt = select(i, ...)
    local ok, v
    if id == "stdin" then ok, v = std_try("read_stdin", fmt) else ok, v = std_try("read", id, fmt) end
    if not ok then return false, v end
    out[i], out.n = v, i
    if v == nil then break end
  end
  return true, tunpack(out, 1, out.n)
end

local function results(level, ok, ...)
  if not ok then raw_error((...), level + 1) end
  return ...
end

function FILE.read(f, ...)
  local id = id_of(f, "read")
  if id == "stdout" or id == "stderr" then return nil, "file not open for reading" end
  return results(1, read_formats(id, ...))
end

function FILE.write(f, ...)
  local id = id_of(f, "write")
  if id == "stdin" then return nil, "file not open for writing" end
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local tv = type(v)
    if tv == "number" then
      v = math_type(v) == "integer" and sformat("%d", v) or sformat("%.14g", v)
    elseif tv ~= "string" then
      raw_error("bad argument #" .. i .. " to 'write' (string expected, got " .. tv .. ")", 2)
    end
    if not STD[id] and MAX_FILE_BYTES > 0 and #v > MAX_FILE_BYTES then
      raw_error(sformat("SecurityError: writing %d bytes is over the limit of %d bytes a "
        .. "file may have (raise [security] max_input_bytes)", #v, MAX_FILE_BYTES), 2)
    end
    local s, latin1 = for_host(v)
    local ok, err
    if STD[id] then ok, err = std_try("write_stream", id, s, latin1)
    else ok, err = std_try("write", id, s, latin1) end
    if not ok then raw_error(err, 2) end
  end
  return f
end

function FILE.lines(f, ...)
  local id = id_of(f, "lines")
  local fmts = tpack(...)
  return function()
    if file_ids[f] == false then raw_error("file is already closed", 2) end
    return results(1, read_formats(id, tunpack(fmts, 1, fmts.n)))
  end
end

function FILE.close(f)
  local id = id_of(f, "close")
  if STD[id] then return nil, "cannot close standard file" end
  file_ids[f] = false
  local ok, err = std_try("close", id)
  if not ok then raw_error(err, 2) end
  return true
end

function FILE.seek(f, whence, offset)
  local id = id_of(f, "seek")
  if STD[id] then return nil, "Illegal seek", 29 end
  local ok, pos = std_try("seek", id, whence == nil and "cur" or whence, offset == nil and 0 or offset)
  if not ok then raw_error(pos, 2) end
  return pos
end

function FILE.flush(f)
  id_of(f, "flush")
  return f
end

function FILE.setvbuf(f)
  id_of(f, "setvbuf")
  return true
end

file_mt.__close = function(f)
  if file_ids[f] then FILE.close(f) end
end

local stdin, stdout, stderr = new_file("stdin"), new_file("stdout"), new_file("stderr")
local default_in, default_out = stdin, stdout

local function open_file(path, mode)
  if type(path) ~= "string" then
    raw_error("bad argument #1 to 'open' (string expected, got " .. type(path) .. ")", 3)
  end
  local ok, opened, id = std_try("open", path, mode)
  if not ok then raw_error(opened, 3) end
  if not opened then return nil, id, 2 end
  return new_file(id)
end

io = {
  stdin = stdin, stdout = stdout, stderr = stderr,
  open = function(path, mode)
    local f, err, code = open_file(path, mode)
    return f, err, code
  end,
  close = function(f)
    return FILE.close(f or default_out)
  end,
  read = function(...)
    return FILE.read(default_in, ...)
  end,
  write = function(...)
    return FILE.write(default_out, ...)
  end,
  lines = function(path, ...)
    if path == nil then return FILE.lines(default_in, ...) end
    local f, err = open_file(path, "r")
    if not f then raw_error(err, 2) end
    local fmts = tpack(...)
    local id = file_ids[f]
    return function()
      if file_ids[f] == false then raw_error("file is already closed", 2) end
      local r = tpack(read_formats(id, tunpack(fmts, 1, fmts.n)))
      if not r[1] then raw_error(r[2], 2) end
      if r[2] == nil then FILE.close(f) end
      return tunpack(r, 2, r.n)
    end, nil, nil, f
  end,
  type = function(f)
    local id = file_ids[f]
    if id == nil then return nil end
    return id == false and "closed file" or "file"
  end,
  output = function(f)
    if f == nil then return default_out end
    if type(f) == "string" then
      local opened, err = open_file(f, "w")
      if not opened then raw_error(err, 2) end
      f = opened
    else
      id_of(f, "output")
    end
    default_out = f
    return f
  end,
  input = function(f)
    if f == nil then return default_in end
    if type(f) == "string" then
      local opened, err = open_file(f, "r")
      if not opened then raw_error(err, 2) end
      f = opened
    else
      id_of(f, "input")
    end
    default_in = f
    return f
  end,
}

spell_loaded._G = _ENV
spell_loaded.string, spell_loaded.table, spell_loaded.utf8 = string, table, utf8
spell_loaded.math, spell_loaded.os, spell_loaded.io = math, safe_os, io
spell_loaded.coroutine = coroutine_lib

-- The bridge -------------------------------------------------------------------------

local bridge = {
  REQ = REQ, ERR = ERR, DONE = DONE, FATAL = FATAL, BOXED = BOXED, errbox = errbox,
  box = box, rawget = rawget,
}

function bridge.sync_function(id)
  return function(...)
    local ok, v, fatal = sync_call(id, ...)
    if rawequal(v, BOXED) then v = unbox() end
    if not ok then
      if fatal then dead = v end
      raw_error(v, 2)
    end
    return v
  end
end

-- a binary parameter's string that is not UTF-8 crosses as {[BYTES_KEY] = its bytes as
-- the code points 0-255} (the host encodes them back as Latin-1), so any bytes arrive
local BYTES_KEY = "__llmspell_latin1_bytes"
local function binary_args(positions, ...)
  local args = tpack(...)
  for p = 1, rawlen(positions) do
    local i = rawget(positions, p)
    local s = args[i]
    if type(s) == "string" then
      local text, latin1 = for_host(s)
      if latin1 then args[i] = { [BYTES_KEY] = text } end
    end
  end
  return tunpack(args, 1, args.n)
end

function bridge.async_function(id, title, binary)
  local not_here = "ValidationError: " .. title .. " cannot be called inside a callback "
    .. "that Lua runs from C (a table.sort comparator, a string.gsub function, a "
    .. "metamethod such as __tostring); call it before and use the value"
  return function(...)
    if not co_isyieldable() then raw_error(not_here, 2) end
    local v
    if binary then v = request(id, binary_args(binary, ...))
    else v = request(id, ...) end
    if rawequal(v, ERR) then raw_error(errbox[1], 2) end
    if rawequal(v, BOXED) then return unbox() end
    if rawequal(v, FATAL) then
      dead = errbox[1]
      raw_error(dead, 2)
    end
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

-- The spell line a suspended task coroutine waits at (its innermost frame that is the
-- spell's own source), or nil.
function bridge.where(co, source)
  for level = 0, 200 do
    local info = getinfo(co, level, "Sl")
    if info == nil then return nil end
    if info.source == source and (info.currentline or 0) > 0 then return info.currentline end
  end
  return nil
end

function bridge.compile(source, name)
  return raw_load(source, "@" .. name, "t", _ENV)
end

-- Interactive sessions (llmspell repl) ----------------------------------------------
--
-- An entry's top-level locals live on in the session's environment table: the host
-- rewrites `local a, b = e` to `__repl_local("a", "b"); a, b = e` and `local function f`
-- to `__repl_local("f"); function f` (on the same line). A name declared so is the
-- entry environment's own from then on (nil included: it shadows a global of that
-- name); every other name reads and writes the globals, as in a spell.
local entry_env = nil

local function session_env()
  if entry_env ~= nil then return entry_env end
  local G, raw_set = _ENV, rawset
  local declared, assigning = {}, {}
  entry_env = setmetatable({}, {
    __index = function(_, k)
      if declared[k] then return nil end
      return G[k]
    end,
    __newindex = function(t, k, v)
      if declared[k] or assigning[k] then
        declared[k], assigning[k] = true, nil
        raw_set(t, k, v)
      else
        G[k] = v
      end
    end,
  })
  -- `local a, b = e`: the names become the session's when assigned (e still reads the
  -- old values, as a new local's initializer does); `local a` alone declares a as nil
  raw_set(entry_env, "__repl_local", function(assign, ...)
    for i = 1, select("#", ...) do
      local k = select(i, ...)
      if assign then
        assigning[k] = true
      else
        declared[k] = true
        raw_set(entry_env, k, nil)
      end
    end
  end)
  return entry_env
end

function bridge.compile_entry(source, name)
  return raw_load(source, "@" .. name, "t", session_env())
end

-- The next entry starts with its own instruction budget; a limit that ended the entry
-- before is over.
function bridge.revive()
  dead, executed, pending = nil, 0, 0
end

return bridge
