import { Tokenizer } from '@streamparser/json';
import { describe, expect, it } from 'vitest';
import { JsonShape } from '../../worker/processing/processors/json-shape.js';

/** The shape of `text` as the JSON processor reads it, fed in pieces of `chunk` characters. */
function shape(text: string, chunk = 3) {
  const tokenizer = new Tokenizer();
  const s = new JsonShape(2, 5);
  tokenizer.onToken = ({ token, value }) => s.token(token, value);
  tokenizer.onError = (err) => {
    s.error ??= err.message;
  };
  for (let i = 0; i < text.length && s.error === null; i += chunk) tokenizer.write(text.slice(i, i + chunk));
  if (s.error === null && !tokenizer.isEnded) tokenizer.end();
  s.end();
  return { valid: s.error === null, entries: s.entries, keys: s.keys, error: s.error };
}

describe('JsonShape', () => {
  it.each([
    ['{}', 0, []],
    ['[]', 0, []],
    ['"text"', 0, []],
    ['42', 0, []],
    ['[1, [2, 3], {"a": [4]}, null]', 4, []],
    ['{"first": {"x": [1, 2]}, "second": true, "third": "c"}', 3, ['first', 'secon']],
  ])('%s is valid with %i top-level entries', (text, entries, keys) => {
    expect(shape(text)).toEqual({ valid: true, entries, keys, error: null });
  });

  it.each(['[1 2]', '{"a" 1}', '{"a": 1,}', '[1,]', '{1: 2}', '1 2', '[1', '{"a": ', ']', '{"a": 1]', 'nul'])(
    '%s is invalid',
    (text) => {
      expect(shape(text).valid).toBe(false);
    },
  );
});
