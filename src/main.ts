import { runCli } from './cli/run.js';

/**
 * Entry point of `npm start` and `node dist/main.js`: `clerkd start`, configured by the
 * environment alone (command-line arguments are ignored here; the `clerkd` bin reads them).
 */
await runCli(['start']);
