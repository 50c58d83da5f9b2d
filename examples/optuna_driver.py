#!/usr/bin/env python3
"""Optuna's NSGA-II drives spatten-dse's evaluator through `spatten-dse serve --stdio` (JSON lines).
Usage: python3 examples/optuna_driver.py [SPACE.yaml] [TRIALS]   (needs optuna; run from the checkout)"""
import json, math, subprocess, sys, warnings
import optuna

space_file = sys.argv[1] if len(sys.argv) > 1 else "spaces/default.yaml"
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 50
svc = subprocess.Popen(["node", "bin/spatten-dse.js", "serve", "--space", space_file, "--stdio", "--out", "results/optuna"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

def call(req):
    svc.stdin.write(json.dumps(req) + "\n"); svc.stdin.flush()
    res = json.loads(svc.stdout.readline())
    if not res["ok"]: raise RuntimeError(res["error"])
    return res

space = call({"op": "space"})
objectives = space["objectives"]

def objective(trial):
    params = {p["key"]: trial.suggest_categorical(p["key"], p["values"]) if p["kind"] == "choice"
              else (trial.suggest_int if p["integer"] else trial.suggest_float)(p["key"], p["low"], p["high"])
              for p in space["parameters"]}
    r = call({"op": "evaluate", "params": params})
    trial.set_user_attr("violation", r["violation"] if r["status"] == "ok" else math.inf)
    return tuple(r["metrics"][o["metric"]] if r["status"] == "ok" else math.nan for o in objectives)

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
sampler = optuna.samplers.NSGAIISampler(seed=1, constraints_func=lambda t: [t.user_attrs["violation"]])
study = optuna.create_study(directions=["minimize" if o["goal"] == "min" else "maximize" for o in objectives], sampler=sampler)
study.optimize(objective, n_trials=trials)
svc.stdin.close(); svc.wait()
ok = [t for t in study.trials if t.user_attrs["violation"] == 0]  # feasible: constraints met
key = lambda t: [v if o["goal"] == "min" else -v for v, o in zip(t.values, objectives)]
front = [t for t in ok if not any(key(u) != key(t) and all(a <= b for a, b in zip(key(u), key(t))) for u in ok)]
print(f"{len(study.trials)} trials, {len(ok)} feasible; Pareto front ({', '.join(o['metric'] for o in objectives)}):")
for t in sorted(front, key=key):
    print("  " + "  ".join(f"{v:.4g}" for v in t.values) + "  " + json.dumps(t.params))
