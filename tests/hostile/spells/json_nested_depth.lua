-- 1e6-deep JSON text for the host parser
local depth = 1e6
local v = JSON.parse(string.rep("[", depth) .. string.rep("]", depth))
print("SURVIVED")
