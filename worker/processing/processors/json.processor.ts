import { Tokenizer } from '@streamparser/json';
import type { JsonValue } from '../analysis.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { streamText } from '../text-stream.js';
import { JsonShape } from './json-shape.js';

const MAX_KEYS_LISTED = 50;
const MAX_KEY_CHARS = 200;

const TYPE_BY_FIRST_CHAR: Record<string, string> = {
  '{': 'object',
  '[': 'array',
  '"': 'string',
  t: 'boolean',
  f: 'boolean',
  n: 'null',
};

/**
 * JSON: validity and top-level shape, from the streaming tokenizer (@streamparser/json) checked
 * against JSON's grammar by JsonShape, which builds no values: memory follows the nesting depth,
 * whatever the size of a member.
 */
export const jsonProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const tokenizer = new Tokenizer();
    const state = new JsonShape(MAX_KEYS_LISTED, MAX_KEY_CHARS);
    let type: string | null = null;
    tokenizer.onToken = ({ token, value }) => state.token(token, value);
    tokenizer.onError = (err) => {
      state.error ??= err.message;
    };

    const encoding = await streamText(
      ctx.bytes ?? ctx.path,
      ctx.size,
      (text) => {
        ctx.text.add(text);
        if (type === null) {
          const first = /\S/.exec(text)?.[0];
          if (first !== undefined)
            type = TYPE_BY_FIRST_CHAR[first] ?? (/[-\d]/.test(first) ? 'number' : 'invalid');
        }
        if (state.error === null) tokenizer.write(text);
      },
      (fraction) => ctx.progress.update(fraction),
    );
    if (state.error === null && !tokenizer.isEnded) tokenizer.end();
    state.end();
    if (type === null) state.error ??= 'The document is empty';

    const shape: Record<string, JsonValue> = { valid: state.error === null, type };
    if (type === 'array') shape['length'] = state.entries;
    if (type === 'object') {
      shape['keyCount'] = state.entries;
      shape['keys'] = state.keys;
    }
    if (state.error !== null) shape['error'] = state.error;
    return { hasText: true, prose: false, metadata: { encoding, json: shape } };
  },
};
