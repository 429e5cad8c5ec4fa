import { franc } from 'franc-min';

/** Characters franc looks at: enough for a stable guess, cheap on long documents. */
const LANGUAGE_SAMPLE_CHARS = 8000;
/** Below this many characters franc's guesses are mostly noise ("Page 1 Page 2" → French). */
const LANGUAGE_MIN_CHARS = 80;
const PREVIEW_CHARS = 300;

/** ISO 639-3 code of the text's language, or null when franc cannot tell (too short, mixed). */
export function detectLanguage(text: string): string | null {
  const language = franc(collapseWhitespace(text.slice(0, LANGUAGE_SAMPLE_CHARS)), {
    minLength: LANGUAGE_MIN_CHARS,
  });
  return language === 'und' ? null : language;
}

/** The start of the text on one line, cut at a word boundary with an ellipsis; null if empty. */
export function textPreview(text: string): string | null {
  const flat = collapseWhitespace(text.slice(0, PREVIEW_CHARS * 4));
  if (flat.length === 0) return null;
  if (flat.length <= PREVIEW_CHARS) return flat;
  const cut = flat.lastIndexOf(' ', PREVIEW_CHARS - 1);
  return `${flat.slice(0, cut > PREVIEW_CHARS / 2 ? cut : PREVIEW_CHARS - 1)}…`;
}

const collapseWhitespace = (text: string) => text.replace(/\s+/g, ' ').trim();
