-- Network tools are off by default: a SecurityError naming the switch (and no query string)
local function try(name, params)
  local ok, err = pcall(Tool.execute, name, params)
  print(name .. ": " .. tostring(ok) .. " " .. err)
end
try("http-requester", {input = "https://api.example.com/v1/items?token=abc123"})
try("webhook-caller", {input = "https://hooks.example.com/build", payload = {ok = true}})
try("api-tester", {input = "http://10.0.0.1/health", expect = {status = 200}})
try("http-requester", {input = "file:///etc/passwd"})
-- parsing a URL needs no network
local u = Tool.execute("url-analyzer", {input = "https://www.example.co.uk:8080/a%20b?x=1&x=2#top"}).result
print("url-analyzer: " .. u.host .. " " .. u.port .. " " .. u.path .. " " .. u.domain .. " " .. u.tld .. " " .. table.concat(u.query_params.x, ","))
