import { JSONParser } from '@streamparser/json';
import type { JsonValue } from '../analysis.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { streamText } from '../text-stream.js';

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
 * JSON: validity and top-level shape, by a streaming parser (@streamparser/json). Only one
 * top-level member is built at a time (`$.*` with keepStack off), so memory follows the largest
 * member, not the document; the thread's heap limit bounds even that.
 */
export const jsonProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
    let type: string | null = null;
    const state = { entries: 0, keys: [] as string[], error: null as string | null };
    parser.onValue = ({ key }) => {
      state.entries++;
      if (typeof key === 'string' && state.keys.length < MAX_KEYS_LISTED) {
        state.keys.push(key.slice(0, MAX_KEY_CHARS));
      }
    };
    parser.onError = (err) => {
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
        if (state.error === null) parser.write(text);
      },
      (fraction) => ctx.progress.update(fraction),
    );
    if (state.error === null && !parser.isEnded) parser.end();
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
