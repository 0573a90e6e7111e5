import { parentPort } from 'node:worker_threads';
import { runHashJob, type HashJob } from './hash-jobs.js';

/**
 * Entry point of one hash worker thread (started by src/passwords/hash-pool.ts). It runs one
 * job at a time: the pool sends the next only after this one has answered.
 */
export interface HashRequest {
  id: number;
  job: HashJob;
}

export type HashReply = { id: number; result: unknown } | { id: number; error: string };

const port = parentPort;
if (port === null) throw new Error('hash-worker.ts is a worker thread entry point; start it through HashPool');

port.on('message', ({ id, job }: HashRequest) => {
  runHashJob(job).then(
    (result) => port.postMessage({ id, result } satisfies HashReply),
    (error: unknown) => port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies HashReply),
  );
});
