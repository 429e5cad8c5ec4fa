import { describe, expect, it } from 'vitest';
import { TextCollector } from '../../worker/processing/text-collector.js';
import { AutoTextDecoder } from '../../worker/processing/text-decoder.js';

function decodeInPieces(bytes: Buffer, cuts: number[]): { text: string; encoding: string | null } {
  const decoder = new AutoTextDecoder();
  let text = '';
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    text += decoder.decode(bytes.subarray(from, cut));
    from = cut;
  }
  return { text: text + decoder.end(), encoding: decoder.encoding };
}

describe('AutoTextDecoder', () => {
  it('keeps UTF-8 characters split across chunks whole, wherever the cut falls', () => {
    const text = 'aé€😀z';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(decodeInPieces(bytes, [cut])).toEqual({ text, encoding: 'utf-8' });
    }
  });

  it('switches to windows-1252 at the first invalid byte, even in a later chunk', () => {
    const bytes = Buffer.concat([
      Buffer.from('ascii only, '),
      Buffer.from('café 80', 'latin1'),
      Buffer.from([0x80]),
    ]);
    expect(decodeInPieces(bytes, [5, 14])).toEqual({
      text: 'ascii only, café 80€',
      encoding: 'windows-1252',
    });
  });

  it('follows a UTF-16 BE byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Grüße', 'utf16le').swap16()]);
    expect(decodeInPieces(bytes, [3, 6])).toEqual({ text: 'Grüße', encoding: 'utf-16be' });
  });
});

describe('TextCollector', () => {
  it('cuts at the byte limit without splitting a character, but counts everything', () => {
    const collector = new TextCollector(10);
    collector.add('one two ');
    collector.add('déjà vu and more');
    expect(collector.finish()).toEqual({ text: 'one two d', truncated: true, wordCount: 6, charCount: 24 });
  });

  it('counts a word split across pieces once', () => {
    const collector = new TextCollector(1000);
    for (const piece of ['Hel', 'lo wor', 'ld', ' — 東京']) collector.add(piece);
    expect(collector.finish()).toMatchObject({ text: 'Hello world — 東京', wordCount: 3 });
  });
});
