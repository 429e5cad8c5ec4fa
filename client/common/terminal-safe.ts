/**
 * Text from the api (file names, previews, error messages, metadata, ids) is someone else's input.
 * Written raw to a terminal, control characters can move the cursor, recolour or hide output, set
 * the window title or (in some terminals) the clipboard, and bidi/invisible format characters can
 * make `evil‮txt.exe` read as `evilexe.txt`. Everything the CLI prints from the api goes through
 * these two functions first.
 */

/**
 * What is never written raw: Unicode categories Cc (C0 controls, DEL, C1 controls — ESC starts every
 * terminal escape sequence) and Cf (bidi embeddings/overrides/isolates U+202A–U+202E, U+2066–U+2069,
 * U+061C, zero-width characters U+200B–U+200F, U+FEFF, …), plus the line/paragraph separators
 * U+2028/U+2029 and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

export interface TerminalSafeOptions {
  /** Keep `\n` and `\t` (a value meant to span lines, such as a text preview). @default false */
  multiline?: boolean;
}

/**
 * `text` with every control and invisible format character replaced by a visible escape such as
 * `\u{1B}` or `\u{202E}`, so it reads the same on any terminal and cannot drive it. Idempotent.
 *
 * @example terminalSafe('a\u001b[31mb') === 'a\\u{1B}[31mb'
 */
export function terminalSafe(text: string, options: TerminalSafeOptions = {}): string {
  return text.replace(UNSAFE, (ch) =>
    options.multiline && (ch === '\n' || ch === '\t') ? ch : `\\u{${hex(ch.codePointAt(0)!)}}`,
  );
}

/**
 * `JSON.stringify(value, null, space)` that is also safe on a terminal: JSON.stringify escapes C0
 * controls but writes DEL, C1 controls and bidi/format characters raw; these become `\uXXXX`
 * escapes (surrogate pairs for astral ones), so the output parses back to exactly the same value.
 */
export function terminalSafeJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space) ?? 'null';
  // Raw C0 characters in JSON.stringify's output are its own indentation (strings escape them).
  return json.replace(UNSAFE, (ch) =>
    ch < ' '
      ? ch
      : Array.from({ length: ch.length }, (_, i) => `\\u${hex(ch.charCodeAt(i)).padStart(4, '0')}`).join(''),
  );
}

const hex = (n: number) => n.toString(16).toUpperCase();
