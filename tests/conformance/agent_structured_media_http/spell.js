// Structured output and images over real HTTP (llm-katan's echo model), both wire formats.
// The echo model answers with the prompt it received, so a JSON prompt comes back inside
// its reply and the agent finds, validates and returns it.
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const schema = {type: "object", required: ["colour", "size"],
  properties: {colour: {type: "string"}, size: {type: "integer"}}};
for (const model of ["katan/echo-model", "katan_anthropic/echo-model"]) {
  const a = await Agent.create({name: "json-" + model, model, outputSchema: schema});
  const r = await a.execute('{"colour": "red", "size": 3}');
  console.log(model + " data: " + r.data.colour + " " + r.data.size);
  const bad = await Agent.create({name: "bad-" + model, model, outputSchema: schema});
  try {
    await bad.execute('{"colour": "red"}');
    console.log("invalid answer: true");
  } catch (err) {
    console.log("invalid answer: false " + err.name + ": " + err.message.match(/^.*?after one repair attempt/)[0]);
  }
  const v = await Agent.create({name: "vision-" + model, model});
  const seen = await v.execute({text: "what colour?", media: [{data: png, mediaType: "image/png"}]});
  console.log("image sent: " + seen.text.includes("[image:image/png]") + ", text sent: " + seen.text.includes("what colour?"));
  try {
    await v.execute({text: "x", media: [{path: "missing.png"}]});
  } catch (err) {
    console.log("missing image: false " + err.name);
  }
}
