/**
 * The hardware-model option of `simulate`, `reproduce` and `compare`: `-f, --fidelity <name>`, and
 * its deprecated old name `-m, --model <name>` (hidden from the help, accepted with a note on stderr).
 */
import { Option, type Command } from 'commander';
import { InputError } from './errors.ts';
import { FIDELITIES, FIDELITY_NAMES, type FidelityName } from '../sim/fidelities.ts';

export interface FidelityChoice {
  fidelity?: FidelityName;
  model?: FidelityName;
}

/** Adds both options to a command; `fallback` is the model used when neither is given (said in the help). */
export function addFidelityOptions(cmd: Command, fallback: FidelityName): Command {
  const models = FIDELITY_NAMES.map((n) => `${n} (${FIDELITIES[n].description})`).join(', ');
  return cmd
    .addOption(new Option('-f, --fidelity <name>', `hardware model (default ${fallback}): ${models}`).choices(FIDELITY_NAMES))
    .addOption(new Option('-m, --model <name>', 'deprecated: the old name of --fidelity').choices(FIDELITY_NAMES).hideHelp());
}

/** The hardware model chosen by --fidelity, or by its deprecated old name --model (with a note on stderr). */
export function chosenFidelity(o: FidelityChoice, fallback: FidelityName): FidelityName {
  if (o.model !== undefined && o.fidelity !== undefined) throw new InputError('give --fidelity only (--model is its deprecated old name)');
  if (o.model !== undefined) process.stderr.write('note: --model is deprecated; use --fidelity\n');
  return o.fidelity ?? o.model ?? fallback;
}
