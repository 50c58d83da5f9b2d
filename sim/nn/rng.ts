/** Seeded helpers for splits, init and bootstrap: the project's one PRNG module (sim/rng.ts). */
import { shuffle, type Rng } from '../rng.ts';

export { gaussian, mulberry32 } from '../rng.ts';

/** Fisher–Yates shuffle in place (sim/rng.ts `shuffle`, array first). */
export function shuffleInPlace<T>(arr: T[], rng: Rng): T[] {
  return shuffle(rng, arr);
}
