/**
 * The result panel of one document. Today it shows what the api reports for every document
 * (detected type, size, SHA-256, job); the extraction results coming in `Document.result`
 * (page count, words, language, text preview, thumbnail) plug in at the marked spots once the
 * `DocumentFields` fragment selects them.
 */
import { formatBytes, formatTime, resultFacts } from '../common/format.js';
import type { Document } from '../sdk/index.js';
import { h } from './dom.js';
import { describeJob } from './status.js';

export function renderResult(doc: Document): HTMLElement {
  const rows: [string, Node | string][] = [
    ['File name', doc.filename],
    ['Status', doc.job ? describeJob(doc.job) : doc.status],
    ['Detected type', doc.detectedType ?? 'not detected yet'],
    ['Claimed type', doc.contentType],
    ['Size', `${formatBytes(doc.size)} (${doc.size.toLocaleString('en')} bytes)`],
    ['SHA-256', h('code', { class: 'hash' }, doc.sha256)],
    ['Uploaded', `${formatTime(doc.createdAt)} UTC`],
    ['Updated', `${formatTime(doc.updatedAt)} UTC`],
    ['Document id', h('code', {}, doc.id)],
  ];
  if (doc.job) rows.push(['Job', `${doc.job.id} · attempt ${doc.job.attempts} · version ${doc.job.version}`]);
  if (doc.result) {
    rows.push(...resultFacts(doc.result));
    if (doc.result.textUrl) {
      rows.push([
        'Extracted text',
        h('a', { href: doc.result.textUrl, target: '_blank', rel: 'noopener' }, 'open'),
      ]);
    }
  }

  const list = h('dl', { class: 'facts' });
  for (const [term, value] of rows) list.append(h('dt', {}, term), h('dd', {}, value));

  return h(
    'div',
    { class: 'result' },
    doc.result?.thumbnailUrl
      ? h(
          'figure',
          { class: 'thumb' },
          h('img', { src: doc.result.thumbnailUrl, alt: `Thumbnail of ${doc.filename}` }),
        )
      : h('figure', { class: 'thumb', 'aria-hidden': 'true' }, typeIcon(doc.detectedType ?? doc.contentType)),
    list,
  );
}

/** A file-type glyph drawn inline (no network), until real thumbnails exist. */
function typeIcon(type: string): SVGElement {
  const label =
    type === 'application/pdf'
      ? 'PDF'
      : type.startsWith('image/')
        ? 'IMG'
        : type.startsWith('text/')
          ? 'TXT'
          : 'FILE';
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 48 60');
  const page = document.createElementNS(ns, 'path');
  page.setAttribute('d', 'M4 2h28l12 12v44H4z M32 2v12h12');
  const text = document.createElementNS(ns, 'text');
  text.setAttribute('x', '24');
  text.setAttribute('y', '42');
  text.setAttribute('text-anchor', 'middle');
  text.textContent = label;
  svg.append(page, text);
  return svg;
}
