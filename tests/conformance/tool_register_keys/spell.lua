-- Tool.register reads camelCase keys too and refuses unknown ones with a suggestion.
local ok, err = pcall(Tool.register, {name = "conf-typo", handler = function() return 1 end, descripton = "x"})
print(ok, (err:match("(ValidationError: [^(]*)")))
Tool.register({name = "conf-camel", handler = function() return 2 end, timeoutSeconds = 5})
print(Tool.execute("conf-camel", {}).result)
