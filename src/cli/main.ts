/** Entry of dist/cli.js (`cmu`). Everything else is in program.ts so tests can import it. */
import { main } from './program';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0); // `cmu report ... | head`
});
void main(process.argv.slice(2)).then((code) => {
  // let stdout/stderr drain, then exit (keep-alive sockets must not hold the process)
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
