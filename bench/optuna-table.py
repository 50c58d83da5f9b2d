#!/usr/bin/env python3
"""Optuna's samplers on a tabulated space (bench/search.bench.ts): reads {space, vectors, runs} as
JSON on stdin, where space = [{key, values}], vectors = {"v1,v2,...": [obj...]} (all minimised) and
runs = [{sampler: "nsga2"|"tpe", seed, trials}]; writes, per run, the objective vectors in
evaluation order and the sampler's own seconds (the lookup is free), as JSON on stdout."""
import json, sys, time, warnings
import optuna

req = json.load(sys.stdin)
space, vectors = req["space"], req["vectors"]
optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
out = []
for run in req["runs"]:
    if run["sampler"] == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=run["seed"], population_size=50)
    else:
        sampler = optuna.samplers.TPESampler(seed=run["seed"])
    n_obj = len(next(iter(vectors.values())))
    study = optuna.create_study(directions=["minimize"] * n_obj, sampler=sampler)
    order = []
    def objective(trial):
        key = ",".join(str(trial.suggest_categorical(d["key"], d["values"])) for d in space)
        v = vectors[key]
        order.append(v)
        return tuple(v)
    t0 = time.process_time()
    study.optimize(objective, n_trials=run["trials"])
    out.append({"sampler": run["sampler"], "seed": run["seed"], "vectors": order, "cpuSeconds": time.process_time() - t0})
json.dump(out, sys.stdout)
