-- unbounded (non-tail) recursion: a stack overflow error or the memory limit
local function f(n) return 1 + f(n + 1) end
print(f(1))
print("SURVIVED")
