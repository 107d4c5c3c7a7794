// rs-llmspell's Debug controls: level, switch, module filters, captured entries,
// timers with ids and events, reports and the dump variants (which return strings).
print("level: " + (await Debug.getLevel()) + " enabled: " + (await Debug.isEnabled()));
await Debug.info("hidden at the default level");
await Debug.setLevel("info");
print("level now: " + (await Debug.getLevel()));
await Debug.info("shown info", "app.db");
await Debug.addModuleFilter("app.db", false);
await Debug.info("hidden child module", "app.db.pool");
await Debug.addAdvancedFilter("^nois", "regex", false);
await Debug.warn("hidden noise", "noisy");
await Debug.logWithData("warn", "with data", {rows: 3}, "app.net");
const summary = await Debug.getFilterSummary();
print("filters: " + summary.total_rules + " " + summary.rules[0].pattern_type + " " + summary.rules[1].pattern_type);
const entries = await Debug.getCapturedEntries();
print("captured: " + entries.length + " " + entries[0].message + " " + entries[1].metadata.rows + " " + entries[1].level);
print("last one: " + (await Debug.getCapturedEntries(1))[0].message);
await Debug.clearCaptured();
print("after clear: " + (await Debug.getCapturedEntries()).length);
print("removed: " + (await Debug.removeModuleFilter("app.db")) + " " + (await Debug.removeModuleFilter("app.db")));
await Debug.clearModuleFilters();
print("rules left: " + (await Debug.getFilterSummary()).total_rules);
const t = await Debug.timer("work");
print("timer id: " + typeof t.id + " lap: " + typeof (await t.lap("phase one")));
print("event: " + (await Debug.recordEvent(t.id, "checkpoint", {n: 1})) + " " + (await Debug.recordEvent("nope", "x")));
await t.stop();
print("report: " + (await Debug.performanceReport()).includes("work:"));
const report = JSON.parse(await Debug.jsonReport());
print("json report: " + report.timers[0].laps[0].name + " " + report.timers[0].events[0].name);
print(await Debug.dumpCompact({b: [1, 2], a: "x"}, "compact"));
print(await Debug.dumpWithOptions({s: "abcdef", l: [1, 2, 3]}, {max_string_length: 2, max_array_elements: 1, compact_mode: true}));
print(await Debug.dump(42, "answer"));
try { await Debug.setLevel("loud"); } catch (e) { print("bad level: " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
await Debug.setEnabled(false);
await Debug.error("hidden when disabled");
print("enabled: " + (await Debug.isEnabled()));
