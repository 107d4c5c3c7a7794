// a module the spell imports: named exports, a default, a re-export
import { shout } from "./text.js";
export { shout };
export const VERSION = "1.2";
export let calls = 0;
export function banner(title) {
  calls++;
  return "== " + shout(title) + " ==";
}
export default function report(items) {
  return items.map((x, i) => i + 1 + ". " + x).join("\n");
}
