-- os.exit(true) / os.exit() / os.exit(0) end the run successfully; bad codes are errors.
local ok, err = pcall(os.exit, 256)
print("256: " .. tostring(ok) .. " " .. tostring(err):match("ValidationError: [^(]*"))
ok, err = pcall(os.exit, "1")
print("string: " .. tostring(ok) .. " " .. tostring(err):match("ValidationError"))
io.write("done\n")
os.exit(true)
print("never")
