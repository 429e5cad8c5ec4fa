import { describe, expect, it } from 'vitest';
import { detectType } from '../../worker/processing/detect.js';
import { makeImage, makePdf, randomBinary } from '../fixtures/documents.js';

const bytes = (text: string) => Buffer.from(text);

describe('detectType', () => {
  it('trusts magic bytes over the name', async () => {
    expect(await detectType(await makePdf({ pages: 1 }), 'notes.txt')).toBe('application/pdf');
    expect(await detectType(await makeImage('png', 4, 4), 'data.csv')).toBe('image/png');
    expect(await detectType(randomBinary(4100), 'report.pdf')).toBe('application/octet-stream');
  });

  it('sniffs text sub-kinds from content', async () => {
    expect(await detectType(bytes('<!DOCTYPE html><html><body>x</body></html>'))).toBe('text/html');
    expect(await detectType(bytes('  <p>Hello</p>'))).toBe('text/html');
    expect(await detectType(bytes('{"a": [1, 2]}'))).toBe('application/json');
    expect(await detectType(bytes('[\n  {"a": 1}\n]'))).toBe('application/json');
    expect(await detectType(bytes('a;b;c\n1;2;3\n4;5;6\n'))).toBe('text/csv');
    expect(await detectType(bytes('# Title\n\n- item\n- item\n'))).toBe('text/markdown');
    expect(await detectType(bytes('Just a note.\nNothing special here.\n'))).toBe('text/plain');
  });

  it('does not take prose with commas for CSV or brackets for JSON', async () => {
    expect(await detectType(bytes('Dear Ann,\nthanks, really.\nSee you, Bob\n'))).toBe('text/plain');
    expect(await detectType(bytes('[foo] is a link label, not JSON\n'))).toBe('text/plain');
  });

  it('lets the extension choose among text sub-kinds only', async () => {
    expect(await detectType(bytes('<!-- comment -->\nSome *notes*\n'), 'README.md')).toBe('text/markdown');
    expect(await detectType(bytes('x,y\n'), 'points.csv')).toBe('text/csv');
    expect(await detectType(bytes('plain words'), 'page.html')).toBe('text/html');
  });

  it('reads UTF-16 with a BOM and Latin-1 as text', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Hi\n', 'utf16le').swap16()]);
    expect(await detectType(utf16)).toBe('text/plain');
    expect(await detectType(Buffer.from('Crème brûlée, déjà vu\n', 'latin1'))).toBe('text/plain');
  });
});
