// Tool.register reads camelCase keys too and refuses unknown ones with a suggestion.
try {
  await Tool.register({name: "conf-typo", handler: () => 1, descripton: "x"});
  print(true);
} catch (e) {
  print(false, `${e.name}: ${e.message}`.match(/^(ValidationError: [^(]*)/)[1]);
}
await Tool.register({name: "conf-camel", handler: () => 2, timeoutSeconds: 5});
print((await Tool.execute("conf-camel", {})).result);
