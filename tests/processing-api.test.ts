import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../domain/config.js';
import {
  makeDocx,
  makeImage,
  makePdf,
  makePixelBombPng,
  makeZipBombDocx,
  randomBinary,
} from './fixtures/documents.js';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

/** Every supported format through the real API: upload, process, read the result back. */
const disposables = new Disposables();
let api: RunningApi;
let config: Config;
let aws: AwsClients;

beforeAll(async () => {
  ({ config, api, aws } = await startStack(disposables, {
    overrides: {
      PROCESSING_MAX_DECOMPRESSED_BYTES: String(1024 * 1024),
      PROCESSING_MAX_IMAGE_PIXELS: String(50_000_000),
      // Every stage change becomes a job version here, so the stages can be checked.
      WORKER_PROGRESS_INTERVAL_MS: '0',
    },
  }));
});
afterAll(() => disposables.disposeAll());

const RESULT = `query($id: ID!) { document(id: $id) { id status detectedType
  job { status stage progress error { code message } }
  result { jobId kind pageCount wordCount charCount language textPreview textTruncated title author authoredAt
           image { width height format } metadata textUrl thumbnailUrl } } }`;

async function process(bytes: Uint8Array | string, filename: string, type = 'application/octet-stream') {
  const up = await uploadFile(api.url, bytes, filename, type);
  expect(up.errors).toBeUndefined();
  const events = await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
  const res = await gql(api.url, RESULT, { id: up.data!.uploadDocument.id });
  return { doc: res.data!.document, events };
}

describe('processing through the API', () => {
  it('PDF: text, pages, document info, full text in S3, progress per stage', async () => {
    const pdf = await makePdf({
      pages: 3,
      title: 'Quarterly report',
      author: 'Ada Lovelace',
      createdAt: new Date('2024-05-01T10:00:00Z'),
      pageText: (n) => `This is page number ${n} of the quarterly report about engines.`,
    });
    const { doc, events } = await process(pdf, 'report.pdf', 'application/pdf');
    expect(doc).toMatchObject({
      status: 'COMPLETED',
      detectedType: 'application/pdf',
      result: {
        kind: 'pdf',
        pageCount: 3,
        title: 'Quarterly report',
        author: 'Ada Lovelace',
        textTruncated: false,
      },
    });
    expect(doc.result.authoredAt).toMatch(/^2024-05-01/);
    expect(doc.result.wordCount).toBeGreaterThanOrEqual(30);
    expect(doc.result.textPreview).toContain('page number 1');
    const text = await (await fetch(doc.result.textUrl)).text();
    for (const n of [1, 2, 3]) expect(text).toContain(`page number ${n}`);
    // The first page, drawn: a WebP thumbnail as for images.
    const thumb = Buffer.from(await (await fetch(doc.result.thumbnailUrl)).arrayBuffer());
    expect(thumb.subarray(8, 12).toString()).toBe('WEBP');

    const stages = [...new Set(events.map((e) => e.stage))];
    expect(stages.slice(-2)).toEqual(['storing', 'done']);
    expect(stages).toEqual(expect.arrayContaining(['extracting']));
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('DOCX: text, title and author', async () => {
    const docx = await makeDocx({
      title: 'Minutes',
      author: 'Grace Hopper',
      paragraphs: ['First point.', 'Second point.'],
    });
    const { doc } = await process(docx, 'minutes.docx');
    expect(doc.detectedType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(doc.result).toMatchObject({ kind: 'docx', title: 'Minutes', author: 'Grace Hopper' });
    expect(doc.result.textPreview).toContain('Second point.');
  });

  it('HTML: visible text only, and the title', async () => {
    const html =
      '<!doctype html><html><head><title>Hello page</title><style>body{color:red}</style></head>' +
      '<body><h1>Welcome</h1><script>var secret = 1;</script><p>Visible words here.</p></body></html>';
    const { doc } = await process(html, 'page.html', 'text/html');
    expect(doc.result).toMatchObject({ kind: 'html', title: 'Hello page' });
    const text = await (await fetch(doc.result.textUrl)).text();
    expect(text).toContain('Visible words here.');
    expect(text).not.toMatch(/secret|color:red/);
  });

  it('plain text: counts, language and preview', async () => {
    const body = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const { doc } = await process(body, 'fox.txt', 'text/plain');
    expect(doc.result).toMatchObject({ kind: 'text', wordCount: 180, language: 'eng' });
    expect(doc.result.charCount).toBe(body.length);
    expect(doc.result.textPreview.length).toBeLessThan(body.length);
  });

  it('CSV: rows, columns and header; JSON: validity and shape', async () => {
    const csv = await process('name,age,city\nada,36,london\ngrace,85,new york\n', 'people.csv', 'text/csv');
    expect(csv.doc.result).toMatchObject({
      kind: 'csv',
      metadata: { csv: { valid: true, rows: 2, columns: 3, header: ['name', 'age', 'city'] } },
    });
    const json = await process(
      JSON.stringify({ a: 1, b: [1, 2], c: { d: true } }),
      'data.json',
      'application/json',
    );
    expect(json.doc.result).toMatchObject({
      kind: 'json',
      metadata: { json: { valid: true, type: 'object', keyCount: 3 } },
    });
  });

  it('images: dimensions, format and a loadable WebP thumbnail of at most 256 px', async () => {
    const png = await makeImage('png', 1200, 600);
    const { doc } = await process(png, 'wide.png', 'image/png');
    expect(doc.result).toMatchObject({ kind: 'image', image: { width: 1200, height: 600, format: 'png' } });
    const thumb = Buffer.from(await (await fetch(doc.result.thumbnailUrl)).arrayBuffer());
    const meta = await sharp(thumb).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBe(256);
  });

  it('unknown bytes complete with the basics', async () => {
    const { doc } = await process(randomBinary(4096), 'mystery.bin');
    expect(doc).toMatchObject({
      status: 'COMPLETED',
      detectedType: 'application/octet-stream',
      result: { kind: 'unknown' },
    });
  });

  it('hostile files end FAILED with their own code, and the worker keeps going', async () => {
    const bomb = await process(makeZipBombDocx(16 * 1024 * 1024), 'bomb.docx');
    expect(bomb.doc.job).toMatchObject({ status: 'FAILED', error: { code: 'DECOMPRESSED_TOO_LARGE' } });
    const pixels = await process(makePixelBombPng(100_000, 100_000), 'pixels.png');
    expect(pixels.doc.job).toMatchObject({ status: 'FAILED', error: { code: 'IMAGE_TOO_LARGE' } });
    const pdf = await makePdf({ pages: 2 });
    const truncated = await process(
      pdf.subarray(0, Math.floor(pdf.length / 2)),
      'cut.pdf',
      'application/pdf',
    );
    expect(truncated.doc.job).toMatchObject({ status: 'FAILED', error: { code: 'CORRUPT_FILE' } });
    expect(truncated.doc.status).toBe('FAILED');
    const fine = await process('still alive', 'after.txt');
    expect(fine.doc.status).toBe('COMPLETED');
  });

  it('a plain UTF-8 text file is its own text: its textUrl serves the original as text, no copy stored', async () => {
    const { doc } = await process('plain text, stored once ✓\n', 'once.txt');
    const res = await fetch(doc.result.textUrl);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('plain text, stored once ✓\n');
    // Reprocessed, it still names the original, which outlives the job's cleanup.
    const re = await gql(api.url, 'mutation($id: ID!) { reprocessDocument(id: $id) { job { id } } }', {
      id: doc.id,
    });
    await watchUntilDone(api.wsUrl, re.data!.reprocessDocument.job.id);
    const after = (await gql(api.url, RESULT, { id: doc.id })).data!.document;
    expect(after.result.jobId).toBe(re.data!.reprocessDocument.job.id);
    expect(await (await fetch(after.result.textUrl)).text()).toBe('plain text, stored once ✓\n');
    const listed = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: config.resources.bucket, Prefix: `derived/${doc.id}/` }),
    );
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('reprocess keeps the old result until the new job completes, then removes the old artefacts', async () => {
    // HTML: its text is extracted, so it is stored as an artefact of each job.
    const { doc } = await process('<p>version one of the text</p>', 'v.html');
    const first = doc.result.jobId;
    const re = await gql(
      api.url,
      'mutation($id: ID!) { reprocessDocument(id: $id) { job { id } result { jobId } } }',
      {
        id: doc.id,
      },
    );
    // Readers still see the previous job's result while the new one runs.
    expect(re.data!.reprocessDocument.result.jobId).toBe(first);
    const newJob = re.data!.reprocessDocument.job.id;
    await watchUntilDone(api.wsUrl, newJob);
    const after = (await gql(api.url, RESULT, { id: doc.id })).data!.document;
    expect(after.result.jobId).toBe(newJob);
    expect((await (await fetch(after.result.textUrl)).text()).trim()).toBe('version one of the text');
    const listed = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: config.resources.bucket, Prefix: `derived/${doc.id}/` }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`derived/${doc.id}/${newJob}/`))).toBe(true);
  });
});
