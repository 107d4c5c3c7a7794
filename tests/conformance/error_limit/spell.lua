-- A wall-time limit ends the run with LimitExceeded; pcall cannot swallow it
print("before the loop")
while true do
  pcall(function() while true do end end)
end
