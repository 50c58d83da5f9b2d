/**
 * The page around a report's sections: its stylesheet, the head with the content security policy,
 * header and navigation, and for interactive reports the inlined Vega bundles, the chart specs and
 * the boot script that draws them; plus the small HTML table helpers the sections share.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { fmtNum } from '../core/format.ts';
import { vegaBundles } from './bundles.ts';
import { sharedPointRows, SHARED_POINTS } from './specs.ts';

const esc = escapeHtml;

export const CSS = `
:root{--fg:#1b1f24;--mut:#5c6670;--bd:#d9dee3;--bg2:#f6f8fa;--accent:#d62728}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1180px;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 2px;word-break:break-word}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--bd);padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}
.sub{color:var(--mut);margin:0 0 12px}
nav{font-size:13px;margin:6px 0 10px}nav a{margin-right:12px;color:#0b62c4;text-decoration:none}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0}
th,td{border:1px solid var(--bd);padding:3px 7px;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv th{width:170px}
table.front th,table.sens th,table.why th,table.highlights th{white-space:normal;max-width:120px;vertical-align:bottom}
table.front td.num{white-space:normal}
pre.cmd{white-space:pre-wrap;word-break:break-all;max-width:560px;margin:4px 0;padding:4px 6px;font-size:11px}
details summary{cursor:pointer;color:#0b62c4;white-space:nowrap}
ul.notes{margin:4px 0 0 18px;padding:0}ul.notes li{margin:3px 0}
li.warn{color:#8a4b00;font-weight:600}
td.bar{position:relative;min-width:140px}td.bar span{position:absolute;left:0;top:3px;bottom:3px;background:#c6dbef}td.bar b{position:relative;font-weight:normal}td.bar i{position:relative;font-style:normal;font-size:12px}
div.sens{flex:1 1 360px}
.scroll{overflow-x:auto;max-width:100%}
.grid{display:flex;flex-wrap:wrap;gap:18px 22px}
figure.chart{margin:0;display:table;max-width:100%}
figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{display:table-caption;caption-side:bottom;color:var(--mut);font-size:12px;margin-top:4px}
figure.chart .title{display:table-caption;caption-side:top;font-weight:600;font-size:13px;margin-bottom:2px}
pre{background:var(--bg2);border:1px solid var(--bd);padding:10px;overflow:auto;font-size:12px;line-height:1.35;max-height:520px}
.tag{display:inline-block;white-space:nowrap;background:#fde8e8;color:#9b1c1c;border-radius:3px;padding:0 5px;font-size:11px}
.err{color:#9b1c1c}
pre.errmsg{margin:0;padding:4px 6px;max-height:160px;white-space:pre-wrap;word-break:break-word}
.muted{color:var(--mut)}
code{font-size:12px}
@media print{nav{display:none}pre{max-height:none}}
`;

export function table(head: string[], rows: string[][], attrs = '', rowAttrs?: string[]): string {
  const thead = `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
  const tbody = rows.map((r, i) => `<tr${rowAttrs ? ' ' + rowAttrs[i] : ''}>${r.join('')}</tr>`).join('\n');
  return `<div class="scroll"><table${attrs ? ' ' + attrs : ''}>${thead}<tbody>\n${tbody}\n</tbody></table></div>`;
}

export const td = (v: string) => `<td>${esc(v)}</td>`;
export const tdNum = (v: number | string | undefined) => (typeof v === 'number' ? `<td class="num">${esc(fmtNum(v))}</td>` : `<td>${esc(v ?? '–')}</td>`);

export function kvRow(k: string, vHtml: string): string {
  return `<tr><th>${esc(k)}</th><td>${vHtml}</td></tr>`;
}

/**
 * The boot script's expansion of one shared row (spec-base.ts SharedPoints): opacity and size from
 * the class, the params string from names (test/report.test.ts runs it on a report's data).
 */
export const EXPAND_ROW_JS =
  "function(d,r){var o={},k,ps=[];for(k in r)o[k]=r[k];o.op=d.op[r.cls];o.sz=d.sz[r.cls];" +
  "for(var i=0;i<d.names.length;i++)if(r['p'+i]!==undefined)ps.push(d.names[i]+'='+r['p'+i]);o.params=ps.join(' ');return o;}";

const BOOT = `
(function(){
  var shared=document.getElementById('shared-points');
  var data=shared?JSON.parse(shared.textContent):{names:[],op:{},sz:{},rows:[]};
  var rows=data.rows.map(function(r){return (${EXPAND_ROW_JS})(data,r);});
  var renderer=rows.length>3000?'canvas':'svg';
  var els=document.querySelectorAll('[data-spec]');
  for(var i=0;i<els.length;i++){(function(el){
    var src=document.getElementById(el.getAttribute('data-spec'));
    if(!src||typeof vegaEmbed!=='function')return;
    var text=src.textContent;
    var spec=JSON.parse(text);
    if(text.indexOf('"name":"${SHARED_POINTS}"')>=0)spec.datasets={${SHARED_POINTS}:rows};
    vegaEmbed(el,spec,{actions:false,renderer:renderer}).catch(function(e){
      var p=document.createElement('p');p.className='err';p.textContent='interactive chart failed: '+e;el.appendChild(p);
    });
  })(els[i]);}
  document.documentElement.setAttribute('data-interactive','ready');
})();`;

/** The whole page around the sections: head (with its content security policy), header and navigation, and for interactive reports the Vega bundles and chart specs. */
export function page(run: RunJson, points: PointRow[], o: { interactive: boolean; toc: string[][]; sample: PointRow[]; specs: { id: string; spec: unknown }[]; sections: string[] }): string {
  const { interactive, toc, sample, sections } = o;
  const allSpecs = o.specs;
  const csp = interactive
    ? "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'; img-src data:; font-src data:"
    : "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  const head =
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="generator" content="spatten-dse report">` +
    `<title>${esc(`spatten-dse: ${run.name}`)}</title><style>${CSS}</style></head>\n<body>`;
  const header =
    `<header><h1>${esc(run.name)}</h1><p class="sub">spatten-dse run · fidelity ${esc(run.fidelity || run.model || '?')} · driver ${esc(run.driver || '?')} · ` +
    `${esc(Number.isFinite(run.counts.total) ? run.counts.total : points.length)} points${interactive ? ' · interactive (hover for details, drag/scroll to zoom scatters, double-click to reset)' : ''}</p>` +
    `<nav>${toc.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav></header>`;
  let scripts = '';
  if (interactive) {
    scripts =
      vegaBundles()
        .map((b) => `<script>${b}</script>`)
        .join('\n') +
      '\n' +
      `<script type="application/json" id="shared-points">${jsonForScript(sharedPointRows(run, sample))}</script>\n` +
      allSpecs.map((s) => `<script type="application/json" id="${s.id}-spec">${jsonForScript(s.spec)}</script>`).join('\n') +
      `\n<script>${BOOT}</script>`;
  }
  return `${head}\n${header}\n<main>\n${sections.filter(Boolean).join('\n')}\n</main>\n${scripts}\n</body></html>\n`;
}
