/** Process entry of the `docpipe` CLI (run through bin/docpipe.js). */
import { runCli } from './program.js';

// Ctrl-C: leave the terminal usable (cli-progress hides the cursor) and exit like a shell would.
process.once('SIGINT', () => {
  process.stderr.write('\u001b[?25h\n');
  process.exit(130);
});

process.exitCode = await runCli(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
});
