-- a huge field width: refused by the format parser, never a hang
local s = string.format("%099999d", 7)
print("SURVIVED", #s)
