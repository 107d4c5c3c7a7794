// rs-llmspell's Config helpers: reading works (secrets never shown); changing the
// configuration from a spell is refused (the operator owns it).
print("engine: " + (await Config.getDefaultEngine()));
print("network: " + (await Config.isNetworkAccessAllowed()) + " files: " + (await Config.isFileAccessAllowed()));
const p = await Config.getPermissions();
print("permissions: " + p.network_access + " " + p.process_spawn + " " + p.file_access);
print("security: " + (await Config.getSecurity()).allow_network + " " + (await Config.getSection("security")).allow_network);
print("no section: " + ((await Config.getSection("nothing")) === null ? "nil" : "?"));
print("tools: " + (typeof (await Config.getTools()) === "object" ? "table" : "?"));
const names = {};
for (const n of await Config.listProviders()) names[n] = true;
print("providers: " + (names.office === true) + " " + (names.openai === true));
const office = await Config.getProvider("office");
print("office: " + office.base_url + " " + office.key_env + " " + office.key_found);
print("unknown provider: " + ((await Config.getProvider("nowhere")) === null ? "nil" : "?"));
print("snapshot: " + (await Config.snapshot()).security.allow_network + " json: " + JSON.parse(await Config.toJson()).security.allow_network);
print("secret shown: " + (await Config.toJson()).includes("office-secret"));
for (const writer of ["addAllowedPath", "setProvider", "setSecurity", "restoreSnapshot"]) {
  try { await Config[writer]("x"); print(writer + ": ok"); }
  catch (e) { print(writer + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
