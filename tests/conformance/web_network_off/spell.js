// Network tools raise SecurityError while the network is off (the default policy)
const calls = [
  ["web-scraper", {input: "https://example.com/"}],
  ["webpage-monitor", {input: "https://example.com/news", state_key: "conf-news"}],
  ["sitemap-crawler", {input: "https://example.com/"}],
  ["web-searcher", {input: "llmspell"}],
];
for (const [name, params] of calls) {
  try {
    await Tool.execute(name, params);
    console.log(name + ": true");
  } catch (err) {
    console.log(name + ": false " + err.name + ": " + err.message);
  }
}
const saved = await State.toolGet("webpage-monitor", "conf-news");
console.log("monitor saved nothing: " + (saved === null || saved === undefined));
