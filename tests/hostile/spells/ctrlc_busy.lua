print("READY")
while true do end
