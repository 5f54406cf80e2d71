// Benchmark target when nginx is not installed: the counting target in its own process.
// Prints its URL, then serves until stdin closes or a signal comes, bounded to `argv[2]` seconds.
import '../../src/polyfill.js';
import { startCountingTarget } from '../../test/support/counting-target.js';

const target = await startCountingTarget();
process.stdout.write(`${target.url}\n`);
const stop = () => void target.close().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
setTimeout(stop, Number(process.argv[2] ?? 600) * 1000).unref();
