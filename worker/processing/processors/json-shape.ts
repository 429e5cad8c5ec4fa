import { TokenType } from '@streamparser/json';

/** Deeper nesting is refused (the stack of open containers is all this holds). */
export const MAX_JSON_DEPTH = 10_000;

type Expect = 'value' | 'value-or-end' | 'key' | 'key-or-end' | 'colon' | 'comma-or-end' | 'done';

const PRIMITIVES = new Set([
  TokenType.STRING,
  TokenType.NUMBER,
  TokenType.TRUE,
  TokenType.FALSE,
  TokenType.NULL,
]);

/**
 * JSON's grammar over the tokenizer's tokens, holding nothing but the stack of open containers:
 * whether the document is valid, and its top-level entries and keys, without building a single
 * value (memory follows the nesting depth, not the data). Building values is what let one large
 * member fill an analysis thread's heap — and when one array grows past the limit, V8 may abort the
 * whole process instead of the thread (nodejs/node#47224). Written by hand: the library's token
 * parser builds every value it walks through.
 */
export class JsonShape {
  readonly keys: string[] = [];
  entries = 0;
  error: string | null = null;
  readonly #stack: ('object' | 'array')[] = [];
  #expect: Expect = 'value';

  constructor(
    private readonly maxKeys: number,
    private readonly maxKeyChars: number,
  ) {}

  token(token: TokenType, value: unknown): void {
    if (this.error !== null) return;
    const top = this.#stack.at(-1);
    switch (this.#expect) {
      case 'value-or-end':
        if (token === TokenType.RIGHT_BRACKET) return this.#close();
        return this.#value(token);
      case 'value':
        return this.#value(token);
      case 'key-or-end':
        if (token === TokenType.RIGHT_BRACE) return this.#close();
        return this.#key(token, value);
      case 'key':
        return this.#key(token, value);
      case 'colon':
        if (token !== TokenType.COLON) return this.fail('":"');
        this.#expect = 'value';
        return;
      case 'comma-or-end':
        if (token === TokenType.COMMA) {
          this.#expect = top === 'object' ? 'key' : 'value';
          return;
        }
        if (token === (top === 'object' ? TokenType.RIGHT_BRACE : TokenType.RIGHT_BRACKET))
          return this.#close();
        return this.fail(`"," or "${top === 'object' ? '}' : ']'}"`);
      case 'done':
        return this.fail('the end of the document');
    }
  }

  /** The stream is over: a document still open is cut short. */
  end(): void {
    if (this.error === null && this.#expect !== 'done') this.error = 'Unexpected end of the document';
  }

  fail(expected: string): void {
    this.error ??= `Unexpected token: expected ${expected}`;
  }

  #key(token: TokenType, value: unknown): void {
    if (token !== TokenType.STRING) return this.fail('a key (a string)');
    if (this.#stack.length === 1) {
      this.entries++;
      if (this.keys.length < this.maxKeys) this.keys.push(String(value).slice(0, this.maxKeyChars));
    }
    this.#expect = 'colon';
  }

  #value(token: TokenType): void {
    // An array's entries are its values; an object's were counted at their keys.
    if (this.#stack.length === 1 && this.#stack[0] === 'array') this.entries++;
    const opens = token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET;
    if (opens && this.#stack.length >= MAX_JSON_DEPTH) {
      this.error ??= `Nested deeper than ${MAX_JSON_DEPTH} levels`;
      return;
    }
    if (token === TokenType.LEFT_BRACE) {
      this.#stack.push('object');
      this.#expect = 'key-or-end';
    } else if (token === TokenType.LEFT_BRACKET) {
      this.#stack.push('array');
      this.#expect = 'value-or-end';
    } else if (PRIMITIVES.has(token)) {
      this.#afterValue();
    } else {
      this.fail('a value');
    }
  }

  #close(): void {
    this.#stack.pop();
    this.#afterValue();
  }

  #afterValue(): void {
    this.#expect = this.#stack.length === 0 ? 'done' : 'comma-or-end';
  }
}
