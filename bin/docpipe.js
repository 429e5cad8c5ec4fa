#!/usr/bin/env node
// `docpipe` CLI. Runs the TypeScript sources through tsx so `npx docpipe` works straight after
// `npm install`; npx puts node_modules/.bin first on PATH, so `node` here is the pinned Node 24.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `docpipe needs Node >= 22 (this is ${process.versions.node}). Run it as \`npx docpipe\` from the ` +
      'project folder, which uses the Node 24 that `npm install` put in node_modules.',
  );
  process.exit(1);
}
const { tsImport } = await import('tsx/esm/api');
// `docpipe token …` signs with the server's secret: an operator's tool kept out of the sealed client.
const entry = process.argv[2] === 'token' ? '../ops/token.ts' : '../client/cli/main.ts';
await tsImport(entry, import.meta.url);
