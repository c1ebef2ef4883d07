/** Entry of dist/cli.js (`cmu`). Everything else is in program.ts so tests can import it. */
import { main } from './program';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0); // `cmu report ... | head`
});

// The guard at exit: node exits 0 when nothing is left to wait for, even if the command's promise never
// settled (a request nobody will ever answer). No path may exit 0 without having done its job.
let finished = false;
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write('error: the command stopped before it finished (an operation never completed); nothing was done\n');
  process.exit(1);
});

void main(process.argv.slice(2)).then(
  (code) => {
    finished = true;
    // let stdout/stderr drain, then exit (keep-alive sockets must not hold the process)
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (e: unknown) => {
    finished = true;
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`, () => process.exit(1));
  },
);
