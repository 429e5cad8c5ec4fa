// npm runs scripts with node_modules/.bin first on PATH, so `node` is the pinned Node 24 from the
// `node` devDependency. If its install script was skipped (--ignore-scripts) `node` silently falls
// back to the system one; fail loudly instead.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `docpipe needs Node >= 22 but npm scripts are running Node ${process.versions.node}.\n` +
      'Run `npm install` (without --ignore-scripts) so the pinned Node 24 from devDependencies is installed.',
  );
  process.exit(1);
}
