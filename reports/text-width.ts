/**
 * Text widths for laying out charts rendered without a browser. With no canvas in Node, vega
 * estimates every character at 0.8 em, about 1.5× the real width of a label in the fonts a browser
 * draws `sans-serif` with: a 46-character axis title then "overflows" a 260 px plot and pads the
 * chart with ~80 px of blank space, rotated labels push the legend ~60 px further down, and a
 * legend label that fits is cut to "…". This estimate sums per-character widths instead.
 */

/**
 * Widths of the printable ASCII characters (32 … 126) in em: the larger of DejaVu Sans and
 * Liberation Sans (Arial's metrics; Helvetica's are close), the `sans-serif` fonts of Linux
 * Chromium, measured with canvas measureText at 100 px in Chromium and rounded up to 0.01 em, so
 * a label drawn in either is no wider than estimated.
 */
const ASCII_EM = [
  0.32, 0.41, 0.46, 0.84, 0.64, 0.96, 0.78, 0.28, 0.4, 0.4, 0.5, 0.84, 0.32, 0.37, 0.32, 0.34, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.34, 0.34,
  0.84, 0.84, 0.84, 0.56, 1.02, 0.69, 0.69, 0.73, 0.78, 0.67, 0.62, 0.78, 0.76, 0.3, 0.5, 0.67, 0.56, 0.87, 0.75, 0.79, 0.67, 0.79, 0.73, 0.67, 0.62, 0.74, 0.69, 0.99,
  0.69, 0.67, 0.69, 0.4, 0.34, 0.4, 0.84, 0.56, 0.5, 0.62, 0.64, 0.55, 0.64, 0.62, 0.36, 0.64, 0.64, 0.28, 0.28, 0.58, 0.28, 0.98, 0.64, 0.62, 0.64, 0.64, 0.42, 0.53,
  0.4, 0.64, 0.6, 0.82, 0.6, 0.6, 0.53, 0.64, 0.34, 0.64, 0.84,
];
/** Any other character (×, §, ≈, →, …): 1 em, the widest of these in both fonts (… and → are 1.00 em). */
const OTHER_EM = 1;
/** Bold text: DejaVu Sans Bold is up to ~15% wider than Book on lower-case text. */
const BOLD = 1.15;

/** Estimated width in px of `text` at `fontSize` px (`bold`: a bold weight). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    em += c >= 32 && c <= 126 ? ASCII_EM[c - 32] : OTHER_EM;
  }
  return em * fontSize * (bold ? BOLD : 1);
}

/** A vega text item as `textMetrics.width` receives it. */
interface TextItem {
  text?: unknown;
  fontSize?: number | string;
  fontWeight?: number | string;
}

/**
 * vega's `textMetrics.width(item, text)` (a user-defined width, as vega-scenegraph supports): the
 * line given, else the item's text (its widest line); vega's default font size is 11 px.
 */
export function vegaTextWidth(item: TextItem, line?: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const lines = line != null ? [line] : Array.isArray(item.text) ? item.text : [item.text ?? ''];
  return Math.max(0, ...lines.map((l) => textWidth(String(l ?? '').trim(), size, bold)));
}
