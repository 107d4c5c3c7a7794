// ARGS: llmspell run spell -- a b --k v --flag --eq=1
console.log("script: " + String(/^spell\./.test(ARGS[0])));
console.log("first: " + ARGS[1]);
console.log("second: " + ARGS[2]);
console.log("third is nil: " + String(ARGS[3] === undefined));
console.log("k: " + ARGS.k);
console.log("flag: " + ARGS.flag);
console.log("eq: " + ARGS.eq);
console.log("missing: " + String(ARGS.missing === undefined));
