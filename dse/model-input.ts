/**
 * The accuracy engine's model as the user names it (`accuracy --model`, `logits --model`,
 * `simulate --accuracy`): a name or folder that cannot be run is bad input (exit 2), not an
 * unexpected error. The engine is loaded on use.
 */
import { InputError } from './errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { shippedModels } from '../sim/nn/paths.ts';

/**
 * What a model name that is no checkpoint may have meant: " (did you mean "spam-bert"?)" for a
 * misspelt shipped checkpoint, else " (shipped: sotu-char, spam-bert, …)"; nothing for a path,
 * which names a folder, not a checkpoint. The command line's --model and a space file's
 * accuracy.model (dse/space-checks.ts) are told the same.
 */
export function shippedHint(model: string, names = shippedModels()): string {
  if (/[\\/]/.test(model)) return '';
  return didYouMean(model, names) || (names.length ? ` (shipped: ${names.join(', ')})` : '');
}

/** The model's folder (a shipped checkpoint's name, or a folder with config.json); else an InputError naming `option` (and `shippedHint`). */
export async function modelDirInput(model: string, option: string): Promise<string> {
  const { resolveModelDir } = await import('../sim/nn/api.ts');
  try {
    return resolveModelDir(model);
  } catch (e) {
    throw new InputError(`${option}: ${(e as Error).message}${shippedHint(model)}`);
  }
}

/** Runs the model: a folder whose config it cannot run (sim/nn/hfconfig.ts ConfigError) is bad input; other errors pass through. */
export async function asInputError<T>(run: () => Promise<T>): Promise<T> {
  const { ConfigError } = await import('../sim/nn/hfconfig.ts');
  try {
    return await run();
  } catch (e) {
    if (e instanceof ConfigError) throw new InputError(e.message);
    throw e;
  }
}
