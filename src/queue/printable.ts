/**
 * Text read from Redis, made safe to print on a terminal. Anyone who can write to the Redis can put an
 * escape sequence in a job id, a host or an error, which printed raw would move the cursor, clear the
 * screen, retitle the window or hide text; control characters (C0 with ESC and BEL, DEL, C1 with the 8-bit
 * CSI) and the bidi controls are shown as \xNN or \uNNNN instead.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `text` with every unsafe character escaped, but for those in `keep` (a log line's own newlines). */
export function printable(text: string, keep = ''): string {
  return text.replace(UNSAFE, (c) => (keep.includes(c) ? c : c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/**
 * JSON for a terminal or a script: JSON.stringify escapes C0 within strings only, so the rest of the unsafe
 * characters are written as \u escapes too. The text parses to the same values.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE, (c) => (c === '\n' ? c : `\\u${hex(c, 4)}`)); // "\n": its own layout
}
