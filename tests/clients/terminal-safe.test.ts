import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../client/common/terminal-safe.js';

/** Anything a terminal would act on or hide: categories Cc and Cf (and U+2028/2029). */
const RAW = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

describe('terminalSafe', () => {
  it('turns escape sequences into visible text', () => {
    expect(terminalSafe('a\u001b[31mred\u001b[0m')).toBe('a\\u{1B}[31mred\\u{1B}[0m');
    // OSC 52 (write the clipboard) and a window title, ended by BEL / ST.
    expect(terminalSafe('\u001b]52;c;ZXZpbA==\u0007')).toBe('\\u{1B}]52;c;ZXZpbA==\\u{7}');
    expect(terminalSafe('\u009b31m \u009d0;title\u009c')).toBe('\\u{9B}31m \\u{9D}0;title\\u{9C}');
    expect(terminalSafe('del\u007f, nul\u0000, bs\b, cr\r')).toBe(
      'del\\u{7F}, nul\\u{0}, bs\\u{8}, cr\\u{D}',
    );
  });

  it('makes bidi overrides, isolates and invisible characters visible', () => {
    expect(terminalSafe('invoice\u202Efdp.exe')).toBe('invoice\\u{202E}fdp.exe');
    const format = [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200B',
      '\u200C',
      '\u200D',
      '\u200E',
      '\u200F',
      '\u061C',
      '\uFEFF',
      '\u00AD',
      '\u{E0041}', // a tag character (astral Cf)
      '\u2028',
    ];
    for (const ch of format) {
      const out = terminalSafe(`x${ch}y`);
      expect(out, ch.codePointAt(0)!.toString(16)).toBe(
        `x\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}y`,
      );
      expect(RAW.test(out)).toBe(false);
    }
  });

  it('keeps line breaks and tabs only in multi-line mode', () => {
    expect(terminalSafe('a\nb\tc')).toBe('a\\u{A}b\\u{9}c');
    expect(terminalSafe('a\nb\tc\r\u001b', { multiline: true })).toBe('a\nb\tc\\u{D}\\u{1B}');
  });

  it('leaves ordinary text alone, including non-Latin scripts and emoji, and is idempotent', () => {
    for (const text of ['report.pdf', 'résumé "v2".txt', 'عربي.txt', '日本語 📄', 'a\\u{1B}b']) {
      expect(terminalSafe(text)).toBe(text);
    }
    const once = terminalSafe('x\u001b\u202Ey');
    expect(terminalSafe(once)).toBe(once);
  });

  it('escapes lone surrogates', () => {
    expect(terminalSafe('a\uD800b')).toBe('a\\u{D800}b');
  });
});

describe('terminalSafeJson', () => {
  it('is JSON that parses back to the same value, with no raw control or bidi characters', () => {
    const value = {
      filename: 'evil\u202Etxt.exe',
      preview: 'red \u001b[31m text \u009b and del \u007f and \u2066isolate\u2069 \u{E0041}',
      nested: [{ id: 'a\u200Bb' }],
      n: 1,
    };
    for (const space of [undefined, 2]) {
      const json = terminalSafeJson(value, space);
      expect(RAW.test(json.replace(/\n/g, ''))).toBe(false);
      expect(JSON.parse(json)).toEqual(value);
    }
    expect(terminalSafeJson({ a: '\u202E' })).toBe('{"a":"\\u202E"}');
    expect(terminalSafeJson('\u{E0041}')).toBe('"\\uDB40\\uDC41"');
  });

  it('keeps its own indentation', () => {
    expect(terminalSafeJson({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
  });
});
