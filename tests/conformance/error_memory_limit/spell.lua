-- The memory limit (--memory-mb) ends a runaway spell with LimitExceeded, exit code 1;
-- what it printed before stays printed
print("before the allocation")
local chunks = {}
while true do
  chunks[#chunks + 1] = string.rep("x", 1000) .. #chunks
end
print("never printed")
