// Agent.builder():record_artifacts(true): answers become agent_output artifacts of the
// current session; without a current session (or without the option) nothing is stored
const recorder = await Agent.builder().name("scribe").model("katan/echo-model").recordArtifacts(true).build();
const quiet = await Agent.builder().name("quiet").model("katan/echo-model").build();
await recorder.execute({text: "before any session"});
const sid = await Session.create({name: "recorded"});
await Session.setCurrent(sid);
await recorder.execute({text: "first question"});
await quiet.execute({text: "not recorded"});
await recorder.execute({text: "second question"});
const list = await Artifact.list(sid);
console.log("artifacts: " + list.length);
for (const a of list) {
  const got = await Artifact.get(sid, a);
  console.log(a.sequence + " " + a.type + " " + a.name + " " + got.metadata.agent + " " + got.metadata.input + " " + String(got.content.includes(got.metadata.input)));
}
console.log("query: " + (await Artifact.query({type: "agent_output"})).length);
try {
  await Agent.builder().name("bad").model("katan/echo-model").recordArtifacts("yes").build();
  console.log("bad option: true");
} catch (err) {
  console.log("bad option: false " + err.name + ": " + err.message);
}
