// Web and search tools check their parameters (and keys) before using the network
async function attempt(label, name, params) {
  try {
    const r = await Tool.execute(name, params);
    console.log(label + ": success=" + r.success + " " + r.error_kind + ": " + r.error);
  } catch (err) {
    console.log(label + ": raised " + err.name + ": " + err.message);
  }
}
await attempt("no input", "web-scraper", {});
await attempt("unknown parameter", "web-scraper", {input: "https://example.com/", selectorz: "p"});
await attempt("bad selector", "web-scraper", {input: "https://example.com/", selectors: {title: "h1["}});
await attempt("bad region", "webpage-monitor", {input: "https://example.com/", selector: "div[x"});
await attempt("too many results", "web-searcher", {input: "x", max_results: 99});
await attempt("unknown provider", "web-searcher", {input: "x", provider: "altavista"});
await attempt("missing key", "web-searcher", {input: "x", provider: "brave"});
await attempt("depth", "sitemap-crawler", {input: "https://example.com/", max_depth: 9});
