-- A string result prints as plain text after the spell's output (no JSON quotes);
-- in JavaScript the last expression is the result when there is no top-level await
local parts = {}
for i = 1, 3 do
  parts[#parts + 1] = "step " .. i
  print("did " .. parts[#parts])
end
return table.concat(parts, ", ") .. ": done"
