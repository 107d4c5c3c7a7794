-- long C calls inside coroutines, forever (a cheap answer or a caught refusal only
-- moves the attack on to the next round: the wall-time limit must still end it)
while true do
  local co = coroutine.wrap(function()
    string.rep("", 2^62)
    table.move({}, 1, math.maxinteger - 1, 2)
  end)
  pcall(co)
end
print("SURVIVED")
