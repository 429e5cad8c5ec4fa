/**
 * Hostile suite, uploads: broken multipart requests, oversize bodies (declared and chunked, cut off
 * with 413 before they are read to the end), truncated bodies and hostile file names. Each answers
 * its own code and leaves nothing stored; downloads of uploaded HTML/SVG can never render.
 */
import { request } from 'node:http';
import { parse as parseDisposition } from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../domain/config.js';
import { bearer, TEST_TOKEN, tokenFor } from '../support/auth.js';
import { gql, UPLOAD, uploadFile } from '../support/graphql.js';
import { bystander, expectClean, storedCounts } from '../support/hostile.js';
import { Disposables, startStack, type RunningApi } from '../support/stack.js';

const LIMIT = 64 * 1024;
const disposables = new Disposables();
let api: RunningApi;
let aws: AwsClients;
let config: Config;
let stopBystander: ReturnType<typeof bystander>;

beforeAll(async () => {
  ({ api, aws, config } = await startStack(disposables, {
    overrides: { MAX_UPLOAD_BYTES: String(LIMIT) },
    worker: false,
  }));
  stopBystander = bystander(api.url, await tokenFor('bystander'));
});
afterAll(() => disposables.disposeAll());

const BOUNDARY = 'docpipe-hostile-boundary';
const operations = JSON.stringify({ query: UPLOAD, variables: { file: null } });
function part(name: string, value: string, filename?: string): string {
  const disposition = `form-data; name="${name}"${filename !== undefined ? `; filename="${filename}"` : ''}`;
  return `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${filename !== undefined ? 'Content-Type: text/plain\r\n' : ''}\r\n${value}\r\n`;
}
const end = `--${BOUNDARY}--\r\n`;
/** Every byte as %XX: RFC 5987's strictest form, which every parser decodes. */
const percentEncoded = (s: string) =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Sends a raw multipart body and returns status and JSON body. */
async function rawMultipart(body: string): Promise<{ status: number; body: any }> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'apollo-require-preflight': '1',
      authorization: bearer(TEST_TOKEN),
    },
    body,
  });
  return { status: res.status, body: await res.json() };
}

/**
 * Streams `total` bytes of file content (declared up front with Content-Length, or chunked) and
 * resolves when the response arrives, with how many bytes had been written by then.
 */
function streamUpload(
  total: number,
  chunked: boolean,
): Promise<{ status: number; body: any; sentBefore: number }> {
  return new Promise((resolve, reject) => {
    const head =
      part('operations', operations) +
      part('map', JSON.stringify({ 0: ['variables.file'] })) +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const tail = `\r\n${end}`;
    const url = new URL(api.url);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'apollo-require-preflight': '1',
        authorization: bearer(TEST_TOKEN),
        ...(chunked
          ? {}
          : { 'content-length': String(Buffer.byteLength(head) + total + Buffer.byteLength(tail)) }),
      },
    });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const sentBefore = sent;
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), sentBefore }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.write(head);
    const chunk = Buffer.alloc(16 * 1024, 65);
    // Paced so the server has time to answer; bounded by `total`.
    const pump = () => {
      if (answered || sent >= total) return void (answered || req.end(tail));
      sent += chunk.length;
      req.write(chunk, () => setTimeout(pump, 5));
    };
    pump();
  });
}

describe('hostile uploads', () => {
  it('a map naming a file the request does not carry: 400 BAD_USER_INPUT, nothing stored', async () => {
    const before = await storedCounts(aws, config);
    const res = await rawMultipart(
      part('operations', operations) + part('map', JSON.stringify({ 7: ['variables.file'] })) + end,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expectClean(res.body);
    const bad = await rawMultipart(
      part('operations', operations) +
        part('map', JSON.stringify({ 0: ['variables.nope.deeper'] })) +
        part('0', 'x', 'x.txt') +
        end,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('too many files: 413 PAYLOAD_TOO_LARGE, nothing stored', async () => {
    const before = await storedCounts(aws, config);
    const res = await rawMultipart(
      part('operations', operations) +
        part('map', JSON.stringify({ 0: ['variables.file'], 1: ['variables.file'] })) +
        part('0', 'a', 'a.txt') +
        part('1', 'b', 'b.txt') +
        end,
    );
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('a truncated body: 400 BAD_USER_INPUT, nothing stored', async () => {
    const before = await storedCounts(aws, config);
    const res = await rawMultipart(
      part('operations', operations) +
        part('map', JSON.stringify({ 0: ['variables.file'] })) +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="cut.txt"\r\n\r\nhalf a fi`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('an oversize upload with a declared length is answered 413 before its body is read', async () => {
    const before = await storedCounts(aws, config);
    const res = await streamUpload(LIMIT * 40, false);
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.sentBefore).toBeLessThan(LIMIT * 40);
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('a chunked oversize upload is cut off with 413 soon after the limit passes', async () => {
    const before = await storedCounts(aws, config);
    const res = await streamUpload(LIMIT * 40, true);
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.sentBefore).toBeLessThan(LIMIT * 10);
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('hostile file names are stored as one clean segment and signed into a safe attachment', async () => {
    const names: [string, string][] = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['evil\r\nSet-Cookie: a=b.txt', 'evilSet-Cookie: a=b.txt'],
      ['quote"s;and=equals.txt', 'quote"s;and=equals.txt'],
      ['<script>alert(1)</script>.html', 'script>.html'],
      ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
      ['zero\u200Bwidth\u2066iso\u2069.txt', 'zerowidthiso.txt'],
      ['esc\u001b[31mred.txt', 'esc[31mred.txt'],
      ['c1\u009bcontrol.txt', 'c1control.txt'],
    ];
    for (const [given, stored] of names) {
      // RFC 5987 form, which the multipart parser decodes: the server sees exactly these characters.
      const res = await rawMultipart(
        part('operations', operations) +
          part('map', JSON.stringify({ 0: ['variables.file'] })) +
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename*=UTF-8''${percentEncoded(given)}\r\n` +
          `Content-Type: text/plain\r\n\r\nx\r\n` +
          end,
      );
      expect({ given: given.slice(0, 40), errors: res.body.errors }).toEqual({
        given: given.slice(0, 40),
        errors: undefined,
      });
      const doc = await gql(api.url, 'query($id: ID!) { document(id: $id) { filename downloadUrl } }', {
        id: res.body.data.uploadDocument.id,
      });
      expect(doc.data!.document.filename).toBe(stored);
      const disposition = new URL(doc.data!.document.downloadUrl).searchParams.get(
        'response-content-disposition',
      )!;
      expect(disposition).not.toMatch(/[\r\n]/);
      expect(parseDisposition(disposition)).toMatchObject({ type: 'attachment' });
    }
    // Raw control characters in the part header itself (no RFC 5987): refused as the client's mistake
    // or cleaned, never an internal error.
    const raw = await rawMultipart(
      part('operations', operations) +
        part('map', JSON.stringify({ 0: ['variables.file'] })) +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="bell\u0007esc\u001b.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\nx\r\n` +
        end,
    );
    if (raw.body.errors) {
      expect(raw.status).toBe(400);
      expect(raw.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    } else {
      expect(raw.body.data.uploadDocument.filename).toBe('bellesc.txt');
    }
    // 10 KB of name: cut to 255 characters.
    const long = await uploadFile(api.url, 'x', `${'n'.repeat(10_000)}.txt`);
    expect(long.data!.uploadDocument.filename).toBe('n'.repeat(255));
  });

  it('uploaded HTML and SVG download as opaque attachments, never as pages', async () => {
    for (const [name, body, type] of [
      ['page.html', '<html><script>alert(document.domain)</script></html>', 'text/html'],
      ['image.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'image/svg+xml'],
    ] as const) {
      const up = await uploadFile(api.url, body, name, type);
      const doc = await gql(api.url, 'query($id: ID!) { document(id: $id) { contentType downloadUrl } }', {
        id: up.data!.uploadDocument.id,
      });
      expect(doc.data!.document.contentType).toBe(type); // what the client claimed, as metadata
      const url = new URL(doc.data!.document.downloadUrl);
      expect(url.searchParams.get('response-content-type')).toBe('application/octet-stream');
      expect(url.searchParams.get('response-content-disposition')).toMatch(/^attachment;/);
      // Stored as opaque bytes too, so even storage that ignored the signed overrides would not render it.
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(await res.text()).toBe(body);
    }
  });

  it('kept serving a legitimate client throughout', async () => {
    const { ok, failures } = await stopBystander();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
  });
});
