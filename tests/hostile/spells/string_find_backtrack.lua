-- a backtracking pattern: quadratic-to-exponential work inside one C call
local s = string.rep("a", 1e5)
string.find(s, ".-.-.-.-.-b")
print("SURVIVED")
