-- Structured output and images over real HTTP (llm-katan's echo model), both wire formats.
-- The echo model answers with the prompt it received, so a JSON prompt comes back inside
-- its reply and the agent finds, validates and returns it.
local png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
local schema = {type = "object", required = {"colour", "size"},
  properties = {colour = {type = "string"}, size = {type = "integer"}}}
for _, model in ipairs({"katan/echo-model", "katan_anthropic/echo-model"}) do
  local a = Agent.create{name = "json-" .. model, model = model, output_schema = schema}
  local r = a:execute('{"colour": "red", "size": 3}')
  print(model .. " data: " .. r.data.colour .. " " .. r.data.size)
  local bad = Agent.create{name = "bad-" .. model, model = model, output_schema = schema}
  local ok, err = pcall(bad.execute, bad, '{"colour": "red"}')
  print("invalid answer: " .. tostring(ok) .. " " .. err:match("(ValidationError: .-after one repair attempt)"))
  local v = Agent.create{name = "vision-" .. model, model = model}
  local seen = v:execute({text = "what colour?", media = {{data = png, media_type = "image/png"}}})
  print("image sent: " .. tostring(seen.text:find("[image:image/png]", 1, true) ~= nil)
        .. ", text sent: " .. tostring(seen.text:find("what colour?", 1, true) ~= nil))
  local ok2, err2 = pcall(v.execute, v, {text = "x", media = {{path = "missing.png"}}})
  print("missing image: " .. tostring(ok2) .. " " .. err2:match("(%a+Error): "))
end
