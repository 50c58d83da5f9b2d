/**
 * `npm run size`: the ten longest files and the ten longest functions in sim/, dse/, core/ and
 * reports/ (TypeScript sources), with the house limits (a file ≤ ~500 lines, a function ≤ ~100
 * lines). Functions are every function declaration, method, arrow function and function
 * expression, measured from their first to their last line (nested functions count in their
 * parent too). `--top N` changes the count; `--json` prints JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['sim', 'dse', 'core', 'reports'];
export const FILE_LIMIT = 500;
export const FUNCTION_LIMIT = 100;

export interface Sized {
  where: string;
  name?: string;
  lines: number;
}

function sources(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) sources(p, out);
    else if (e.isFile() && e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return p.name.getText(sf);
  if (p && ts.isCallExpression(p)) {
    const callee = p.expression.getText(sf);
    const cmd = /\.command\('([^']+)'\)/.exec(callee);
    return `(callback of ${cmd ? `command ${cmd[1]}` : callee.replace(/\s+/g, '').slice(-40)})`;
  }
  return '(anonymous)';
}

/** Line counts of every file and every function below the folders. */
export function measure(root = ROOT): { files: Sized[]; functions: Sized[] } {
  const files: Sized[] = [];
  const functions: Sized[] = [];
  for (const folder of FOLDERS) {
    for (const file of sources(path.join(root, folder))) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(root, file);
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      files.push({ where: rel, lines: sf.getLineAndCharacterOfPosition(text.length).line + (text.endsWith('\n') ? 0 : 1) });
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
          functions.push({ where: `${rel}:${start + 1}`, name: functionName(node, sf), lines: end - start + 1 });
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  files.sort((a, b) => b.lines - a.lines);
  functions.sort((a, b) => b.lines - a.lines);
  return { files, functions };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ti = process.argv.indexOf('--top');
  const top = ti > 0 ? Number(process.argv[ti + 1]) : 10;
  const { files, functions } = measure();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ files: files.slice(0, top), functions: functions.slice(0, top) }, null, 2) + '\n');
  } else {
    const mark = (n: number, limit: number) => (n > limit ? `  over ${limit}` : '');
    const lines = [`longest files (${FOLDERS.join('/, ')}/; limit ~${FILE_LIMIT} lines)`];
    for (const f of files.slice(0, top)) lines.push(`  ${String(f.lines).padStart(5)}  ${f.where}${mark(f.lines, FILE_LIMIT)}`);
    lines.push(`longest functions (limit ~${FUNCTION_LIMIT} lines)`);
    for (const f of functions.slice(0, top)) lines.push(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.where}${mark(f.lines, FUNCTION_LIMIT)}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}
