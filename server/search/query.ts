import { badInput } from '../../domain/errors.js';

/** Longest query accepted, in characters, and most terms (words, phrases, exclusions) in one. */
export const MAX_QUERY_LENGTH = 500;
export const MAX_QUERY_TERMS = 32;

/**
 * Turns what a user types into an FTS5 MATCH expression: `words` (all must appear), `"exact
 * phrases"`, `prefix*` and `-excluded` words or phrases. Every term is re-quoted, so nothing the
 * user types reaches FTS5's own syntax (NEAR, column filters, AND/OR keywords, parentheses).
 *
 * Written by hand: FTS5's query language is small and no maintained library translates a
 * search-box syntax into it. Tokens are runs of letters and digits, as FTS5's unicode61 tokenizer
 * splits them, so "e-mail" is the phrase "e mail" on both sides.
 */
export function toMatchExpression(input: string): string {
  const query = input.trim();
  if (query.length === 0) throw badInput('Type something to search for', { argument: 'query' });
  if (query.length > MAX_QUERY_LENGTH)
    throw badInput(`A search may be at most ${MAX_QUERY_LENGTH} characters`, { argument: 'query' });

  const include: string[] = [];
  const exclude: string[] = [];
  // -"phrase" | "phrase" | -word* | word*   (an unclosed quote runs to the end)
  const term = /(-?)(?:"([^"]*)"?|([^\s"]+))/gu;
  for (const m of query.matchAll(term)) {
    const negated = m[1] === '-';
    const phrase = m[2];
    let word = m[3];
    let prefix = false;
    if (word !== undefined && word.endsWith('*')) {
      word = word.replace(/\*+$/u, '');
      prefix = true;
    }
    const tokens = tokenize(phrase ?? word ?? '');
    if (tokens.length === 0) continue; // punctuation only: nothing to look for
    const quoted = `"${tokens.join(' ')}"${prefix ? '*' : ''}`;
    (negated ? exclude : include).push(quoted);
  }
  if (include.length + exclude.length > MAX_QUERY_TERMS)
    throw badInput(`A search may have at most ${MAX_QUERY_TERMS} words or phrases`, { argument: 'query' });
  if (include.length === 0)
    throw badInput(
      exclude.length > 0
        ? 'A search needs at least one word that is not excluded'
        : 'Type some letters or digits to search for',
      { argument: 'query' },
    );
  return [include.join(' AND '), ...exclude.map((e) => `NOT ${e}`)].join(' ');
}

/** Runs of letters, digits and combining marks (what unicode61 keeps), lower-cased. */
export function tokenize(text: string): string[] {
  return (text.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).map((t) => t.toLowerCase());
}
