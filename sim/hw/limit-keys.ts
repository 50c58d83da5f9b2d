import type { LatencyLimits } from './finalize.ts';

/** Each bound's key in a result's `extra` (cycles; sim/hw/reference.ts writes them, core/latency-bounds.ts reads them): `limit_*` the bounds, `front_*` the front's terms. */
export const LIMIT_KEYS: Readonly<Record<keyof LatencyLimits, string>> = {
  front: 'limit_front_cycles',
  window: 'limit_window_cycles',
  chain: 'limit_chain_cycles',
  inOrder: 'limit_in_order_cycles',
  engines: 'limit_engines_cycles',
  valueBuffer: 'limit_value_buffer_cycles',
  frontDram: 'front_dram_cycles',
  frontCompute: 'front_compute_cycles',
  frontWindow: 'front_window_cycles',
};
