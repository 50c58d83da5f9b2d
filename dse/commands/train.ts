/**
 * `spatten-dse train --model spam-bert|sotu-gpt|sotu-char [--seed S] [--steps N] [--out DIR] [--force] [--resume-from DIR]
 * [--ft-masks random|cascade|cascade-gen|cascade-mix] [--ft-steps N] [--ft-min-keep F] [--workers N]`: reproduces a
 * shipped checkpoint (tokenizer + model, seeded) into sim/nn/checkpoints/<name>/ (or --out; a folder holding
 * another checkpoint or other files only with --force: checkTrainOut).
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import type { EvalPool } from '../pool.ts';
import type { ShardResult, ShardTask } from '../../sim/nn/train-shard.ts';
import { RECIPES } from '../../sim/nn/recipes.ts';
import { decimal } from '../cli-util.ts';
import { didYouMean } from '../../core/suggest.ts';
import { asInputError } from '../model-input.ts';
import { CHECKPOINT_FILE, SNAPSHOT, trainedModelOf } from '../../sim/nn/checkpoint.ts';
import { CHECKPOINT_ROOT } from '../../sim/nn/paths.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The shipped recipes; every other recipe of sim/nn/recipes.ts is an experiment (sim/nn/README.md). */
const SHIPPED = ['spam-bert', 'sotu-gpt', 'sotu-char'];

export function register(program: Command): void {
  program
    .command('train')
    .description('train a shipped accuracy-engine checkpoint (spam-bert, sotu-gpt, sotu-char) from scratch, reproducibly from a seed')
    .requiredOption('-m, --model <name>', `a recipe of sim/nn/recipes.ts: ${SHIPPED.join(', ').replace(/, (?=[^,]*$)/, ' or ')} (shipped); ${Object.keys(RECIPES).filter((k) => !SHIPPED.includes(k)).join(', ')} (experiments, sim/nn/README.md)`)
    .option('--seed <s>', 'seed (init + batch order)', '1')
    .option('--steps <n>', 'quick run: a single phase of n optimizer steps (does not reproduce the shipped checkpoint)')
    .option('--out <dir>', 'output folder (default sim/nn/checkpoints/<name>)')
    .option('--force', 'replace what --out holds when it is not a checkpoint of this recipe: another checkpoint (its checkpoint files and snapshots are removed) or other files (kept beside the checkpoint)')
    .option('--save-every <n>', 'also save snapshots <out>/step-K every n steps (LM recipe)')
    .option('--resume-from <dir>', "LM recipe with fine-tuning phases: the weights after all phases but the last (a --save-every snapshot or an earlier checkpoint); only the last phase runs")
    .option('--ft-masks <mode>', "LM fine-tuning masks, in place of the recipe's (sotu-char's: 'cascade'): 'random' key positions, 'cascade' (the keys the inference cascade keeps for the window's last position, for every query), 'cascade-gen' (the window's last 32 queries see exactly the keys the cascade keeps at their generation step, the others all) or 'cascade-mix' (each sequence one of the last two, drawn with equal odds); applies to the recipe's last fine-tuning phase; recorded in training.json")
    .option('--ft-steps <n>', "LM fine-tuning steps instead of the recipe's (recorded in training.json)")
    .option('--workers <n>', 'LM recipes: threads per training step, each computing the gradient of its share of the batch (data-parallel; results equal a one-thread run up to float32 summation order, so --workers is recorded in training.json)', '1')
    .option('--ft-min-keep <f>', "LM fine-tuning masks: the schedule's per-layer floor (algo.tokenMinKeep) instead of the recipe's (recorded in training.json)")
    .action(async (o: { model: string; seed: string; steps?: string; out?: string; saveEvery?: string; resumeFrom?: string; ftMasks?: string; ftSteps?: string; ftMinKeep?: string; workers: string; force?: boolean }) => {
      const { trainModel } = await import('../../sim/nn/train.ts');
      if (!RECIPES[o.model]) throw new InputError(`--model: unknown model "${o.model}"${didYouMean(o.model, Object.keys(RECIPES)) || ` (trainable: ${Object.keys(RECIPES).join(', ')})`}`);
      const seed = decimal(o.seed);
      if (!Number.isInteger(seed)) throw new InputError(`--seed: expected an integer, got "${o.seed}"`);
      let steps: number | undefined;
      if (o.steps !== undefined) {
        steps = decimal(o.steps);
        if (!Number.isInteger(steps) || steps < 1) throw new InputError(`--steps: expected a positive integer, got "${o.steps}"`);
      }
      let saveEvery: number | undefined;
      if (o.saveEvery !== undefined) {
        saveEvery = decimal(o.saveEvery);
        if (!Number.isInteger(saveEvery) || saveEvery < 1) throw new InputError(`--save-every: expected a positive integer, got "${o.saveEvery}"`);
      }
      if (o.resumeFrom !== undefined) {
        if (!existsSync(join(o.resumeFrom, 'model.safetensors'))) throw new InputError(`--resume-from: no model.safetensors in "${o.resumeFrom}"`);
        if (!RECIPES[o.model].fineTune || steps !== undefined) throw new InputError(`--resume-from: only for a recipe with a fine-tuning phase, without --steps (${o.model})`);
      }
      const { FT_MASK_MODES } = await import('../../sim/nn/ft-masks.ts');
      const ft = fineTuneOptions(o, RECIPES[o.model].fineTune !== undefined && steps === undefined, FT_MASK_MODES);
      const workers = decimal(o.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new InputError(`--workers: expected a positive integer, got "${o.workers}"`);
      if (workers > 1 && RECIPES[o.model].config.kind !== 'gpt') throw new InputError(`--workers: only for the LM recipes (sotu-gpt, sotu-char), not ${o.model}`);
      if (o.out === undefined) refuseVariantOverShipped(o.model, variantOptions(o, seed, workers), !!o.force);
      checkTrainOut(o.out ?? join(CHECKPOINT_ROOT, o.model), o.out !== undefined ? `--out ${o.out}` : `checkpoint folder ${join(CHECKPOINT_ROOT, o.model)}`, o.model, !!o.force);
      const pool = workers > 1 ? await (await import('../backends/local.ts')).bundledPool(workers - 1) : undefined;
      try {
        const shardRunner = pool ? shardRunnerOf(pool) : undefined;
        // a --resume-from folder the recipe cannot continue (unreadable, another model) is bad input
        const r = await asInputError(() => trainModel(o.model, seed, { steps, outDir: o.out, saveEvery, resumeFrom: o.resumeFrom, ...ft, workers, shardRunner }));
        process.stdout.write(JSON.stringify(r) + '\n');
      } finally {
        await pool?.close();
      }
    });
}

/** The options given that make a run differ from its recipe (so from the checkpoint the recipe ships), as typed. */
export function variantOptions(o: { steps?: string; ftMasks?: string; ftSteps?: string; ftMinKeep?: string }, seed: number, workers: number): string[] {
  const given: [boolean, string][] = [
    [o.steps !== undefined, `--steps ${o.steps}`],
    [seed !== 1, `--seed ${seed}`],
    [o.ftMasks !== undefined, `--ft-masks ${o.ftMasks}`],
    [o.ftSteps !== undefined, `--ft-steps ${o.ftSteps}`],
    [o.ftMinKeep !== undefined, `--ft-min-keep ${o.ftMinKeep}`],
    [workers !== 1, `--workers ${workers}`],
  ];
  return given.filter(([on]) => on).map(([, text]) => text);
}

/**
 * Without --out a run writes the recipe's own folder of sim/nn/checkpoints, which the accuracy
 * engine reads for that model name: a run that does not reproduce the recipe (`variants`: a quick
 * --steps run, another seed, fine-tuning overrides, another worker count) would silently replace
 * the shipped checkpoint there, and with it every later accuracy number of that model. Refused
 * (exit 2) while that folder holds a checkpoint, unless `force`.
 */
export function refuseVariantOverShipped(model: string, variants: string[], force: boolean, root = CHECKPOINT_ROOT): void {
  const dir = join(root, model);
  if (variants.length === 0 || force || !existsSync(join(dir, 'model.safetensors'))) return;
  throw new InputError(
    `${variants.join(' ')}: this run does not reproduce the ${model} checkpoint, and without --out it would replace ${dir}, ` +
      `which every accuracy run of ${model} reads; give --out DIR (or add --force to replace the checkpoint anyway)`,
  );
}

/** Runs one training shard on the pool; a failed or crashed worker stops the training with its error. */
function shardRunnerOf(pool: EvalPool): (t: ShardTask) => Promise<ShardResult> {
  return async (t) => {
    const res = await pool.run<ShardResult>({ task: 'trainShard', args: [t] });
    if (res.status !== 'ok') throw new Error(`training worker: ${res.error}`);
    return res.value;
  };
}

/** --ft-masks / --ft-steps / --ft-min-keep: only for a recipe with a fine-tuning phase (and without --steps, which drops it). */
function fineTuneOptions<M extends string>(o: { model: string; ftMasks?: string; ftSteps?: string; ftMinKeep?: string }, hasFineTune: boolean, modes: readonly M[]): { ftMasks?: M; ftSteps?: number; ftMinKeep?: number } {
  if ((o.ftMasks !== undefined || o.ftSteps !== undefined || o.ftMinKeep !== undefined) && !hasFineTune) {
    throw new InputError(`--ft-masks / --ft-steps / --ft-min-keep: only for a recipe with a fine-tuning phase, without --steps (${o.model})`);
  }
  if (o.ftMasks !== undefined && !(modes as readonly string[]).includes(o.ftMasks)) throw new InputError(`--ft-masks: expected one of ${modes.join(', ')}, got "${o.ftMasks}"${didYouMean(o.ftMasks, modes)}`);
  let ftSteps: number | undefined;
  if (o.ftSteps !== undefined) {
    ftSteps = decimal(o.ftSteps);
    if (!Number.isInteger(ftSteps) || ftSteps < 1) throw new InputError(`--ft-steps: expected a positive integer, got "${o.ftSteps}"`);
  }
  let ftMinKeep: number | undefined;
  if (o.ftMinKeep !== undefined) {
    ftMinKeep = decimal(o.ftMinKeep);
    if (!(ftMinKeep > 0 && ftMinKeep <= 1)) throw new InputError(`--ft-min-keep: expected a fraction in (0, 1], got "${o.ftMinKeep}"`);
  }
  return { ftMasks: o.ftMasks as M | undefined, ftSteps, ftMinKeep };
}

/**
 * The output folder must be missing, empty, or hold a checkpoint of this recipe (a retrain replaces
 * it, as `npm run train` does) or only its snapshots; anything else is refused (exit 2, before any
 * training) unless `force`. A replaced checkpoint leaves no file behind (sim/nn/checkpoint.ts saveCheckpoint).
 */
function checkTrainOut(dir: string, what: string, model: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new InputError(`${what}: exists and is a file, not a folder`);
  const entries = readdirSync(dir).sort();
  if (entries.length === 0 || force) return;
  const shown = (names: string[]) => names.slice(0, 4).join(', ') + (names.length > 4 ? `, … (${names.length} entries)` : '');
  const top = trainedModelOf(dir);
  if (top === model) return;
  if (top === undefined && entries.every((f) => SNAPSHOT.test(f) && trainedModelOf(join(dir, f)) === model)) return;
  const advice = 'choose another --out folder, or add --force to replace it';
  if (top !== undefined) {
    const of = top ? `a checkpoint of ${top}` : 'a checkpoint not trained by `spatten-dse train` (no training.json names its recipe)';
    const replaced = entries.filter((f) => CHECKPOINT_FILE.test(f) || (SNAPSHOT.test(f) && ![undefined, model].includes(trainedModelOf(join(dir, f)))));
    throw new InputError(`${what}: holds ${of} (${shown(entries)}), not of ${model}; ${advice} (its ${shown(replaced)} are replaced)`);
  }
  throw new InputError(`${what}: the folder is not empty (${shown(entries)}) and holds no checkpoint of ${model}; choose another --out folder, or add --force to write the checkpoint into it`);
}
