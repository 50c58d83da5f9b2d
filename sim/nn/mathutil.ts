/** erf with |error| < 1.2e-7 (Numerical Recipes erfc, Chebyshev fit). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

/**
 * The k-th largest of buf[0..n) (1 ≤ k ≤ n, duplicates counted, as tf.topk's k-th value), by
 * quickselect in place (buf is reordered).
 */
export function kthLargestInPlace(buf: Float32Array | Float64Array, n: number, k: number): number {
  const target = n - k; // index in ascending order
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = buf[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i] < pivot) i++;
      while (buf[j] > pivot) j--;
      if (i <= j) {
        const t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return buf[target];
  }
  return buf[target];
}

/**
 * The softmax tail over logits already in p[0..n) with their maximum mx: p[j] = exp(p[j] − mx) / Σ,
 * in place (float64); returns the largest probability.
 */
export function expNormalize(p: Float64Array, n: number, mx: number): number {
  let z = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(p[j] - mx);
    p[j] = e;
    z += e;
  }
  let pmax = 0;
  const inv = 1 / z;
  for (let j = 0; j < n; j++) {
    const x = p[j] * inv;
    p[j] = x;
    if (x > pmax) pmax = x;
  }
  return pmax;
}
