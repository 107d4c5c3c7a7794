-- io on the file policy: io.open in r/w/a (+, b) modes, read formats, lines, seek,
-- io.write/io.stderr.
local f = assert(io.open("notes.txt", "w"))
print("type: " .. io.type(f))
f:write("title\n", 42, " ", 0.5, "\n"):write("last line")
f:close()
print("after close: " .. io.type(f))

f = assert(io.open("notes.txt", "a"))
f:write("\nappended\n")
f:close()

f = assert(io.open("notes.txt", "rb"))
print("l: " .. f:read("l"))
local a, b = f:read("n", "*n")
print("n: " .. a .. " " .. b .. " (" .. math.type(a) .. ", " .. math.type(b) .. ")")
local function shown(s) return (s:gsub("\n", "\\n")) end
print("L: " .. shown(f:read("L")))
print("4 bytes: " .. f:read(4))
print("a: " .. shown(f:read("a")))
print("at end: " .. tostring(f:read("l")) .. " [" .. f:read("a") .. "]")
print("seek end: " .. f:seek("end"))
f:seek("set", 6)
print("after seek: " .. f:read("*l"))
f:close()

local n = 0
for line in io.lines("notes.txt") do n = n + 1 end
print("io.lines: " .. n .. " lines")

local g = assert(io.open("notes.txt", "r+"))
g:write("TITLE")
g:seek("set")
print("r+: " .. g:read("l"))
g:close()

local h <close> = assert(io.open("notes.txt"))
for word in h:lines(5) do io.write("[", word, "]") break end
io.write("\n")

local missing, message = io.open("missing.txt")
print("missing: " .. tostring(missing) .. ", " .. message)
local ok, err = pcall(io.open, "notes.txt", "rw")
print("bad mode: " .. err:match("ValidationError: [^(]*"))
io.stderr:write("to stderr\n")
