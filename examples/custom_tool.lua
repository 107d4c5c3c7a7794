-- custom_tool.lua: a spell defines a tool and calls it. Run it with: llmspell run examples/custom_tool.lua -- to be or not to be
local text = #ARGS > 0 and table.concat(ARGS, " ") or "the quick brown fox"

Tool.register({
  name = "word-stats",
  description = "Counts the words of a text and finds the longest",
  category = "text",
  parameters = {
    type = "object",
    properties = { text = { type = "string" } },
    required = { "text" },
  },
  handler = function(params)
    local words, longest = 0, ""
    for word in params.text:gmatch("%S+") do
      words = words + 1
      if #word > #longest then longest = word end
    end
    if words == 0 then error("ToolError: the text has no words") end
    -- a handler may call the host too: count how often the tool ran
    State.tool_set("word-stats", "calls", (State.tool_get("word-stats", "calls") or 0) + 1)
    return { words = words, longest = longest }
  end,
})

local r = Tool.execute("word-stats", { text = text })
print("success: " .. tostring(r.success))
print("words: " .. r.result.words .. ", longest: " .. r.result.longest)
print("ran as: " .. r.metadata.tool)

-- a tool that fails doing its job returns success = false; it does not raise
local empty = Tool.execute("word-stats", { text = "   " })
print("empty text: success=" .. tostring(empty.success) .. ", " .. empty.error_kind .. ": " .. empty.error)

-- params that break the schema raise a ValidationError (the handler does not run)
local ok, err = pcall(Tool.execute, "word-stats", { text = 42 })
print("bad params: " .. err:match("%u%a+Error"))

-- the catalog, and the tool as an object (methods with ':')
for _, t in ipairs(Tool.list({ category = "text" })) do
  print("tool: " .. t.name .. " (" .. t.category .. ", " .. t.version .. ")")
end
local tool = Tool.get("word-stats")
print("via the tool object: " .. tool:execute({ text = "a bb ccc" }).result.longest)
print("handler ran " .. State.tool_get("word-stats", "calls") .. " times")
