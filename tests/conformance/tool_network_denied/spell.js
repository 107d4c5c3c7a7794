// Network tools are off by default: a SecurityError naming the switch (and no query string)
async function attempt(name, params) {
  try { await Tool.execute(name, params); console.log(name + ": true"); }
  catch (err) { console.log(name + ": false " + err.name + ": " + err.message); }
}
await attempt("http-requester", {input: "https://api.example.com/v1/items?token=abc123"});
await attempt("webhook-caller", {input: "https://hooks.example.com/build", payload: {ok: true}});
await attempt("api-tester", {input: "http://10.0.0.1/health", expect: {status: 200}});
await attempt("http-requester", {input: "file:///etc/passwd"});
// parsing a URL needs no network
const u = (await Tool.execute("url-analyzer", {input: "https://www.example.co.uk:8080/a%20b?x=1&x=2#top"})).result;
console.log("url-analyzer: " + [u.host, u.port, u.path, u.domain, u.tld, u.query_params.x.join(",")].join(" "));
