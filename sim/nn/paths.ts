import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
/** Folder of the shipped checkpoints (sim/nn/checkpoints/<name>/). */
export const CHECKPOINT_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'checkpoints');
