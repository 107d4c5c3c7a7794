// Config.get(path?) reads the effective configuration (secrets redacted); in JavaScript
// the access helpers' names are camelCase (Lua's camelCase aliases are the same names)
console.log("memory_mb: " + await Config.get("runtime.memory_mb"));
console.log("log_level: " + await Config.get("runtime.log_level"));
console.log("backend: " + await Config.get("state.backend"));
console.log("region: " + await Config.get("tools.email-sender.region"));
console.log("password: " + await Config.get("tools.email-sender.password"));
console.log("missing is nil: " + String((await Config.get("runtime.no_such_key")) == null));
const all = await Config.get();
console.log("whole config memory_mb: " + all.runtime.memory_mb);
console.log("whole config password: " + all.tools["email-sender"].password);
console.log("network: " + await Config.isNetworkAccessAllowed());
console.log("network alias: " + await Config.isNetworkAccessAllowed());
console.log("files: " + await Config.isFileAccessAllowed());
console.log("files alias: " + await Config.isFileAccessAllowed());
