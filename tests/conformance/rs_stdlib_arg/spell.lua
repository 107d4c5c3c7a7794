-- Lua's standard `arg` table, as rs-llmspell scripts read it:
-- llmspell run spell.lua -- input.txt --mode fast out.txt
print("script: " .. tostring(arg[0] == ARGS[0]))
print("count: " .. #arg)
for i = 1, #arg do print("arg[" .. i .. "] = " .. arg[i]) end
print("options stay in ARGS: " .. tostring(arg.mode == nil and ARGS.mode == "fast"))
local input = arg[1] or "default.txt"
print("input: " .. input)
