/**
 * Analytical performance/energy model of SpAtten (pure functions, no I/O).
 *
 * Two implementations of ONE model:
 *  - `analyticalModel(w, hw)`: the reference, a plain loop over every head request;
 *  - `prepareWorkload(w)` + `evaluatePrepared(p, hw, out)`: the fast path for design-space sweeps.
 *    Everything that does not depend on the hardware is summed once per workload; what depends on
 *    a discrete hardware knob (Σ⌈keys/S⌉ per multiplier count, Σ⌈keys/P⌉ per softmax width,
 *    expected top-k cycles per comparator count) is memoised on first use, keyed by the declared
 *    list of HardwareConfig fields it depends on (QK_DEPS … DRAM_DEPS, sim/hw/memo.ts; the window
 *    tables hang below a (compute, DRAM) pair and are keyed by their remaining inputs, WINDOW_DEPS). An
 *    evaluation then costs a handful of Map look-ups and arithmetic, and allocates nothing.
 * Both reduce the workload to the same `Sums` and finish with the same `finalize`; the test
 * suite checks they agree to 1e-9.
 *
 * ── The model ──────────────────────────────────────────────────────────────────────────────
 * Per head request (q queries, k keys, D head dim, bit widths from the workload row):
 *  DRAM bytes   Q  q·D·queryBits/8;  K MSBs kF·D·keyBits/8;  K LSBs p·kF·D·lsbBits/8 (p = refetch
 *               probability);  V  vF·D·valueBits/8.  Generation (no reuse): kF = keys seen,
 *               vF = valuesFetched. Summarization (K/V reused from SRAM): see "spill" below.
 *  Bandwidth    B = min(dramChannels·dramChannelGBps/clockGHz·(1 − nRFC/nREFI), fetcherPorts·32)
 *               bytes/cycle (all-bank HBM refresh: 350 of every 3,900 ns). Refresh comes at
 *               nREFI, 2·nREFI, … from the run's start: a run that ends by nREFI without it is
 *               priced without it (pipeline-math.ts mayEndBeforeRefresh).
 *  Q·K          S = ⌊qkMultipliers/D⌋ keys per cycle (if qkMultipliers < D a key takes
 *               ⌈D/qkMultipliers⌉ cycles): q·⌈k/S⌉ line cycles; causal (GPT-2 prompt): query j
 *               sees k−q+j+1 keys, summed exactly in closed form. ×(1+p): a refetch redoes Q·K.
 *  softmax      softmaxParallelism elements per cycle: q·⌈k/Psm⌉ (causal likewise) ×(1+p).
 *               Softmax 8 matches Q·K's 512/64 = 8 scores per cycle (Table I); with more
 *               multipliers and 8 lanes, compute-bound summarization becomes softmax-bound (the
 *               RTL derives its softmax units from M/D; here they are a separate knob).
 *  top-k        local-V (valuesPerQuery < keys): per query one top-k over k scores keeping
 *               valuesPerQuery (sim/hw/topk.ts: derived E[quick-select] + ⌈k/P⌉ filter pass);
 *               cascade token top-k on rows with topk ≥ 0 (over k scores, keep topk); head top-k
 *               once per (iteration, layer) whose next layer keeps fewer heads. Local-V has its
 *               own engine; token and head top-k share the other (paper §IV-B). With the official
 *               latency model, pruned GPT-2 is top-k-bound at P = 16 (quick-select scans ~3k
 *               elements per top-k of k scores, Q·K streams k/8 lines), whereas the paper's
 *               Fig. 19(a) saturates at 16: a known disagreement of the official model.
 *  prob·V       S' = ⌊pvMultipliers/D⌋ values per cycle: q·⌈valuesPerQuery/S'⌉.
 *  Causal rows for local-V top-k and prob·V use the mean row length (documented approximation).
 *
 * Pipeline. Stages are independent resources that overlap across requests, so (summarization)
 *     cycles = max( max_stage Σ_requests work,  Σ_requests chain / n_r,  in-order bound ) + drain,
 * the in-order bound being the longest path through DRAM → key side → prob·V with heads in request
 * order, and the expected hold behind a head that refetches its LSBs (sim/hw/flow-shop.ts),
 * with n_r = heads in flight = min(inFlight, 16 buffer allocations, heads whose key (and, reused,
 * value) buffer lines fit, requests). Generation (head-granular) instead:
 *     cycles = max( pnorm_k(DRAM, max(Q·K, softmax), window') + drain,  Σ window_r/n_r + tail,
 *                   Σ chain / min(inFlight, requests) ) + gate,  or the busiest engine after the
 *              decision (local-V top-k, prob·V, token/head top-k) + drain if that is larger: decided
 *              heads queue for those engines, and the token top-k gate holds admission only
 *              (gate: per gated layer boundary, the token top-k latency and one key pass's fixed
 *              latencies; 0 without hw.gateTokenTopk; in generation each term pays it as it sees
 *              it: Q·K and softmax the whole bubble, the DRAM the bubble less the gated head's own
 *              V stream, the window and the chain the top-k and the part of the gated head's
 *              window the next heads would have overlapped, the part all three front terms pay
 *              added after pnorm_k, finalize.ts gatedGeneration / headGranularFront), or the
 *              value buffer's window
 *              Σ hold_r/n_V,r + drain less one hold's fixed part if larger: a head holds its value
 *              lines from their allocation after its local-V top-k to its prob·V's end (RTL stages
 *              16–19: hold = value-side fixed latency + buffer write/read + max(V stream/s_v,
 *              prob·V)), and only the n_V heads whose value lines fit hold them at once
 *              (valueHeadsFit; with a value buffer of one head the heads' value sides run in series);
 * window_r = admission → final decision ((1+p)·fixed pass latency + max(key-side stream time/s_k,
 * paired key stream, Q·K, softmax)); the key-side stream time is its channel mean plus the first
 * channel's lead and z_C·σ over the channels (a stream completes at its busiest channel; every
 * stream starts at the first channel: dram-cost.ts imbalanceCycles), or its bytes at the fetcher's
 * ports if longer; the paired key stream is that time beside the V stream issued just after it
 * (pipeline-math.ts pairedKeyStream). s_k = 1 − (V DRAM time / R)·(1 − 1/requests) and
 * s_v = 1 − (key-side DRAM time / R)·(1 − 1/requests): each side shares the channels round-robin
 * with the other side's fetches of other heads, over the run's
 * length R, taken as the window's own (a fixed point, no shorter than the busiest stage for s_k
 * and the DRAM time for s_v: pipeline-math.ts sideShare, windowFixedPoint);
 * window' = Σ window_r/n_r less one head's K-side
 * latencies, tail = the last head's V-side latencies, k = tables/pipeline.json overlapExponent
 * (see sim/cycle/README.md, "Analytical vs cycle"). Details: `finalize`.
 *  - stage work: DRAM = bytes/B, Q·K, softmax, local-V top-k engine, token/head top-k engine,
 *    prob·V (the busy cycles reported in `stages`);
 *  - chain: a request's serial path fetch → Q·K → softmax → top-k → V fetch → prob·V, with its
 *    fixed register latencies (tables/pipeline.json) and the HBM's first access, a row conflict in
 *    ns at the clock as in the simulator (pipeline-math.ts fetchLatencies). In generation K streaming overlaps the
 *    dot product (speculative buffer reads) and V streaming overlaps prob·V, so the chain takes
 *    max(K fetch, Q·K, softmax) and max(V fetch, prob·V); these maxima are taken over the workload's sums
 *    (exact when every request has the same bits-per-key/keys-per-cycle ratio, i.e. up to
 *    ceilings for generated workloads). A refetch (probability p) adds a second fetch/Q·K/softmax
 *    pass. In summarization the queries of one request pipeline behind each other: the chain is
 *    fetch + one query's pass + (q−1)·(slowest per-query step);
 *  - drain: one request's fixed latency (fill/drain of the pipeline), paid once.
 *
 * Spill (summarization). Half of each SRAM holds one head's working set (double buffering):
 * capK = ⌊keySramKB·1024·8/2 / (D·wordBits)⌋ keys, capV likewise. The first capK keys stay
 * resident; a query that needs keys beyond them streams them again from DRAM (the query register
 * holds one query, so the refetch granularity is one query). Non-causal: kF = min(k,capK) +
 * q·max(0, k−capK); causal: Σ_j max(0, seen_j − capK) for the streamed part. Values: capV resident,
 * each query streams its valuesPerQuery·(1 − capV/vF) non-resident ones (causal: per seen row).
 * A stream's first pass is priced at its whole gather's cost; the spilled part, the tail of its
 * kept vectors, at the cost of a gather over its own share of the region (dram-cost.ts
 * spillCostFrom, as the simulator streams it). A spilling head holds only its resident lines, so
 * the buffer's other half takes the next head (pipeline-math.ts heldLines).
 *
 * Outputs: gops = 2·(qkMacs + pvMacs) / latency (executed MACs, including a refetch's redone
 * Q·K; mul and add counted as two operations, as the paper's 2 TFLOPS peak for 1024 multipliers).
 * Energy: sim/hw/energy.ts from the activity counts; area: sim/hw/area.ts.
 */
export {
  bufferLines,
  dramBytesPerCycle,
  headLines,
  headsInFlight,
  keysSeen,
  lineCycles,
  lineCyclesPrefix,
  rowsCycles,
  spilledKeys,
  spilledValues,
  sramCapacityVectors,
} from './pipeline-math.ts';
export { createFastMetrics, type FastMetrics } from './finalize.ts';
export { analyticalModel } from './reference.ts';
export { COMBO_DEPS, DRAM_DEPS, PV_DEPS, QK_DEPS, SM_DEPS, TOPK_DEPS, WINDOW_DEPS, prepareWorkload, type PreparedWorkload } from './prepare.ts';
export { evaluatePrepared } from './fast.ts';
