-- args.lua: command-line arguments. Run it with: llmspell run examples/args.lua -- Ada Lovelace --greeting Hi --times 2 --loud
-- ARGS[1..n] are the positional arguments (also the list ARGS.positional), ARGS.name the
-- value of --name (a bare --flag is "true"), ARGS[0] the script's file name. All strings.
local greeting = ARGS.greeting or "Hello"
local who = #ARGS > 0 and table.concat(ARGS, " ") or "world"
local times = tonumber(ARGS.times or "1") or 1
local line = greeting .. ", " .. who .. "!"
if ARGS.loud == "true" then line = line:upper() end
for _ = 1, times do print(line) end

print("script: " .. ARGS[0])
print("positional: " .. #ARGS .. " [" .. table.concat(ARGS.positional, "|") .. "]")
print("--greeting: " .. (ARGS.greeting or "(not given)"))
print("--loud: " .. (ARGS.loud or "(not given)"))
