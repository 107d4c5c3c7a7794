export function step() {
  return 1;
}

throw new Error("module failed while loading");
