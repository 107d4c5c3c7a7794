// Two calls of one agent at once (Agent.executeAll) each keep their turn: the next call
// sends both turns (4 messages) plus its own (llm-katan's echo model counts them).
const a = await Agent.create({name: "shared", model: "katan/echo-model"});
const both = await Agent.executeAll([{agent: a, input: "first"}, {agent: a, input: "second"}]);
console.log("concurrent answers: " + both.length);
const r = await a.execute("third");
console.log("third call sent: " + r.text.match(/messages=(\d+)/)[1] + " messages");
