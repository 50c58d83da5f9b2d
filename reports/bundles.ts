/** The vega, vega-lite and vega-embed browser bundles an interactive report inlines. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Folder of an installed package, found by walking up from its resolved entry (the `exports` map hides build/). */
export function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot locate the folder of package ${name}`);
    dir = up;
  }
}

let bundleCache: string[] | undefined;

/** The three minified UMD bundles, source-map comments removed, safe inside <script>. */
export function vegaBundles(): string[] {
  if (!bundleCache) {
    bundleCache = [
      ['vega', 'build/vega.min.js'],
      ['vega-lite', 'build/vega-lite.min.js'],
      ['vega-embed', 'build/vega-embed.min.js'],
    ].map(([pkg, file]) =>
      readFileSync(path.join(packageDir(pkg), file), 'utf8')
        .replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n')
        .replace(/<\/(script)/gi, '<\\/$1'),
    );
  }
  return bundleCache;
}
