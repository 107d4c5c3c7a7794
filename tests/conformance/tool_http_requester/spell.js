// http-requester against a local server (ARGS[1] is its base URL)
const base = ARGS[1];
let r = await Tool.execute("http-requester", {input: base + "/json"});
console.log("GET: " + r.success + " " + r.result.status + " " + r.result.json.name + " items=" + r.result.json.items.length);
r = await Tool.execute("http-requester", {input: base + "/echo", method: "POST", json: {n: 42}, query: {tag: "x"}});
const echo = r.result.json;
console.log("POST: " + echo.method + " " + echo.path + " n=" + echo.json.n + " body=" + echo.body);
r = await Tool.execute("http-requester", {input: base + "/status/404"});
console.log("404: " + r.success + " " + r.error_kind);
r = await Tool.execute("http-requester", {input: base + "/status/404", accept_error_status: true});
console.log("404 accepted: " + r.success + " " + r.result.status);
const t = await Tool.execute("api-tester", {input: base + "/json", expect: {status: 200, json_path: {"$.items[1]": 2, "$.name": "other"}}});
console.log("api-tester: passed=" + t.result.passed + " " + t.text);
try {
  await Tool.execute("http-requester", {input: base + "/redirect?to=http://169.254.169.254/latest/meta-data/"});
} catch (err) {
  const full = err.name + ": " + err.message;
  console.log("redirect: false " + full.match(/^(\w+Error): redirect from /)[1] + " " + full.match(/host '[^']+' is not in \[security\] allowed_hosts/)[0]);
}
try {
  await Tool.execute("http-requester", {input: "http://127.0.0.2:9/"});
} catch (err) {
  console.log("other host: false " + err.name);
}
