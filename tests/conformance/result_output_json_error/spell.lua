-- With --output json an uncaught error still exits 1; the last line of stdout is
-- {"error": {"file", "kind", "line", "message"}, "result": null}
print("before the error")
local function check(n)
  if n > 2 then
    error("ValidationError: n is too large: " .. n)
  end
  return n
end
check(3)
return "never the result"
