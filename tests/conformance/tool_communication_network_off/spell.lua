-- network tools raise SecurityError while network access is off (the default); bad input is checked first
local mail = {host = "smtp.example.com", to = "ann@example.com", from = "robot@example.com", subject = "Hi", body = "Hello"}
local ok, err = pcall(Tool.execute, "email-sender", mail)
print("email-sender: " .. tostring(ok) .. " " .. err:match("(SecurityError: network access is not allowed)"))
print("names the server: " .. tostring(err:find("SMTP server smtp.example.com:587", 1, true) ~= nil))
mail.subject = "Hi\r\nBcc: victim@example.com"
local r = Tool.execute("email-sender", mail)
print("header injection: " .. tostring(r.success) .. " " .. r.error_kind)
ok, err = pcall(Tool.execute, "github-integration", {operation = "get_repo", repo = "octocat/Hello-World"})
print("github-integration: " .. tostring(ok) .. " " .. err:match("(SecurityError): "))
ok, err = pcall(Tool.execute, "database-connector", {url = "postgresql://app:s3cret-pw@db.example.com/shop", query = "SELECT 1"})
print("database-connector: " .. tostring(ok) .. " " .. err:match("(SecurityError): "))
print("password hidden: " .. tostring(err:find("s3cret-pw", 1, true) == nil))
