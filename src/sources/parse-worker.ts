import { parentPort, workerData } from 'node:worker_threads';
import type { Diagnostic } from '../core/errors.js';
import { parseDocuments, readManifestFile, toTransferable, type LoadLimits, type TransferableFile } from './documents.js';

/*
 * A parsing worker: receives batches of files, answers with their documents as plain
 * values plus flat offset arrays (see loadManifestsParallel).
 */
const limits = (workerData as { limits: LoadLimits }).limits;

parentPort!.on('message', (batch: { abs: string; file: string; isJson: boolean }[]) => {
  const out: (TransferableFile | Diagnostic)[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const f of batch) {
    const r = readManifestFile(f.abs, f.file, limits);
    if ('diagnostic' in r) {
      out.push(r.diagnostic);
      continue;
    }
    const t = toTransferable(parseDocuments(r.text, f.file, f.isJson, limits));
    transfer.push(t.lineStarts.buffer as ArrayBuffer, ...t.docs.map((d) => d.offsets.buffer as ArrayBuffer));
    out.push(t);
  }
  parentPort!.postMessage(out, transfer);
});
