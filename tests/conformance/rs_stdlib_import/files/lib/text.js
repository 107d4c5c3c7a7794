export const shout = (s) => s.toUpperCase() + "!";
export function fails() {
  throw new Error("failed inside text.js");
}
