// rs-llmspell's result field names, beside llmspell's own (both are present)
const base = ARGS[1];
let r = await Tool.execute("http-requester", {input: base + "/json"});
console.log("http: status_code=" + r.result.status_code + " status=" + r.result.status
            + " body=" + r.result.body.includes('"llmspell"')
            + " json=" + r.result.json.name + " timestamp=" + typeof r.result.timestamp);
r = await Tool.execute("calculator", {input: "x * 2", variables: {x: 21}});
console.log("calculator: input=" + r.result.input + " expression=" + r.result.expression
            + " result=" + r.result.result + " variables.x=" + r.result.variables.x);
r = await Tool.execute("base64-encoder", {operation: "encode", input: "hi"});
console.log("base64: output=" + r.result.output + " binary=" + r.result.binary);
r = await Tool.execute("datetime-handler", {operation: "now", timezone: "UTC"});
console.log("datetime: timezone=" + r.result.timezone + " format=" + r.result.format
            + " datetime=" + typeof r.result.datetime);
r = await Tool.execute("environment-reader", {operation: "get", variable_name: "CONF_RS_VAR"});
console.log("env: variable_name=" + r.result.variable_name + " name=" + r.result.name
            + " value=" + r.result.value + " found=" + r.result.found + " exists=" + r.result.exists);
r = await Tool.execute("environment-reader", {operation: "get", variable_name: "CONF_RS_MISSING"});
console.log("env missing: found=" + r.result.found + " exists=" + r.result.exists);
r = await Tool.execute("process-executor", {executable: "echo", arguments: ["hi"]});
console.log("process: executable=" + r.result.executable + " arguments=" + r.result.arguments.join(" ")
            + " exit_code=" + r.result.exit_code + " success=" + r.result.success
            + " stdout=" + r.result.stdout.replace(/\n/g, ""));
r = await Tool.execute("system-monitor", {operation: "cpu"});
console.log("system: cpu_usage_percent=" + typeof r.result.cpu_usage_percent + " cpu_count=" + typeof r.result.cpu_count
            + " percent=" + typeof r.result.percent);
r = await Tool.execute("text-manipulator", {input: "abc", operation: "reverse"});
console.log("text: result=" + r.result.result + " operation=" + r.result.operation
            + " lengths=" + r.result.original_length + "/" + r.result.result_length);
r = await Tool.execute("uuid-generator", {operation: "generate"});
console.log("uuid: " + typeof r.result.uuid);
r = await Tool.execute("hash-calculator", {operation: "hash", algorithm: "sha256", input: "x"});
console.log("hash: algorithm=" + r.result.algorithm + " format=" + r.result.format + " hash=" + r.result.hash.length);
r = await Tool.execute("template-creator", {input: "Hi {{name}}", context: {name: "Ada"}});
console.log("template: rendered=" + r.result.rendered);
r = await Tool.execute("service-checker", {check_type: "http", target: base + "/json"});
console.log("service-checker: healthy=" + r.result.healthy + " status_code=" + r.result.status_code);
r = await Tool.execute("service_checker", {check_type: "http", target: base + "/status/503"});
console.log("service-checker down: success=" + r.success + " healthy=" + r.result.healthy
            + " error=" + r.result.error);
