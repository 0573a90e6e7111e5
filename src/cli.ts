import { runCli } from './cli/run.js';

/** The `clerkd` bin (bin/clerkd.js imports this module): see src/cli/run.ts and `clerkd --help`. */
await runCli(process.argv.slice(2));
