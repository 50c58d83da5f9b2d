/** Fixed pipeline latencies of the RTL stages (cycles; cited in sim/hw/tables/pipeline.json). */
import pipe from '../hw/tables/pipeline.json' with { type: 'json' };

export const L_ISSUE = pipe.fetchIssueLatency.value;
/** Registered allocation response of the key (stage 1) and value (stage 16) buffers. */
export const L_ALLOC = pipe.allocLatency.value;
/** The request FIFO's register (stage 2): every key pass, a requant re-issue too. */
export const L_REQ_FIFO = pipe.requestFifoLatency.value;
export const L_CONVERT = pipe.convertLatency.value;
export const L_BUFW = pipe.bufferWriteLatency.value;
export const L_BUFR = pipe.bufferReadLatency.value;
export const L_SOFTMAX = pipe.softmaxLatency.value;
export const L_DOT_BASE = pipe.dotProductBaseLatency.value;
export const L_REQUANT_BASE = pipe.requantDecisionLatency.value;
export const L_PV_BASE = pipe.pvBaseLatency.value;
/**
 * DRAM-side registers around the HBM model: AR register, DPI pending register, result register,
 * one cycle each (spec §1.5 stage 6b, §1.6; pipeline.json dramRegisterLatency).
 */
export const L_DRAM_REGS = pipe.dramRegisterLatency.value;
/** Bit-width converter + buffer write + buffer read between a fetched line and its array. */
export const L_TO_ARRAY = L_CONVERT + L_BUFW + L_BUFR;

for (const [k, v] of Object.entries({ L_ISSUE, L_DRAM_REGS, L_ALLOC, L_REQ_FIFO, L_CONVERT, L_BUFW, L_BUFR, L_SOFTMAX, L_DOT_BASE, L_REQUANT_BASE, L_PV_BASE })) {
  if (!Number.isFinite(v)) throw new Error(`sim/cycle: pipeline constant ${k} is not a number (sim/hw/tables/pipeline.json)`);
}
