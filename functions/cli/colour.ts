/**
 * Colour for the human output: only when ./bin.ts found a colour terminal (and NO_COLOR unset), so
 * pipes, files and `--json` stay plain text.
 */
const CODES = { red: [31, 39], yellow: [33, 39], green: [32, 39] } as const;
export type Colour = keyof typeof CODES;

export function painter(on: boolean | undefined): (text: string, colour: Colour) => string {
  if (!on) return (text) => text;
  return (text, colour) => `\u001b[${CODES[colour][0]}m${text}\u001b[${CODES[colour][1]}m`;
}
