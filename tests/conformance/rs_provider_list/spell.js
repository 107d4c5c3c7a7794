// Provider.list() is what a spell can use now (configured, or a key found);
// Provider.list({all: true}) every preset and configured provider. Keys never show.
const providers = await Provider.list();
print(`Found ${providers.length} provider(s)`);
providers.forEach((provider, i) => {
  const caps = provider.capabilities;
  print(`Provider #${i + 1}: ${provider.name} enabled=${provider.enabled} streaming=${caps.supports_streaming} key_found=${provider.key_found}`);
});
const office = await Provider.get("office");
print("office: " + office.base_url + " " + office.default_model + " " + office.capabilities.available_models[0]);
const all = await Provider.list({all: true});
const names = {};
for (const p of all) names[p.name] = p;
print("all has presets: " + (names.openai !== undefined && names.anthropic !== undefined && names.ollama !== undefined));
print("needs_key: " + names.needs_key.available + " " + names.needs_key.key_env + " " + names.needs_key.key_found);
print("switched_off: " + names.switched_off.enabled);
print("groq key from: " + names.groq.key_env);
print("caps: " + (await Provider.getCapabilities("groq")).supports_streaming + " " + ((await Provider.getCapabilities("nowhere")) === null ? "nil" : "?"));
print("available: " + (await Provider.isAvailable("groq")) + " " + (await Provider.isAvailable("openai")));
try { await Provider.list({every: true}); } catch (e) { print("bad option: " + e.name + ": " + e.message); }
print("secret shown: " + JSON.stringify(all).includes("conformance-secret"));
