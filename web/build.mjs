// Builds the officers' map into dist/ (index.html, app.js, app.css, favicon.svg), which
// the Rust binary embeds, and writes dist/SOURCE_HASH: a hash of every
// source file, which a Rust test recomputes to catch a bundle that is older
// than its sources. Run: npm ci && npm run build (in web/).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

// The files the bundle is made from, in the order tests/serve.rs hashes them.
function sources() {
  const top = ['build.mjs', 'favicon.svg', 'index.html', 'package-lock.json', 'package.json', 'style.css'];
  const src = readdirSync(join(here, 'src')).sort().map((f) => `src/${f}`);
  return [...top, ...src].sort();
}

// FNV-1a, 64 bits, over "path\n<length>\n<bytes>" of each file: simple
// enough to compute identically in Rust without a dependency.
function sourceHash() {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let h = 0xcbf29ce484222325n;
  const feed = (bytes) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * prime) & mask;
    }
  };
  for (const file of sources()) {
    const bytes = readFileSync(join(here, file));
    feed(Buffer.from(`${file}\n${bytes.length}\n`));
    feed(bytes);
  }
  return `fnv1a64:${h.toString(16).padStart(16, '0')}\n`;
}

mkdirSync(join(here, 'dist'), { recursive: true });
await esbuild.build({
  entryPoints: [join(here, 'src/main.js')],
  outfile: join(here, 'dist/app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  // Leaflet's few images (layer control, default marker) go inline: the
  // server serves only the three bundled files.
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(here, 'dist/index.html'));
copyFileSync(join(here, 'favicon.svg'), join(here, 'dist/favicon.svg'));
writeFileSync(join(here, 'dist/SOURCE_HASH'), sourceHash());
console.log(`built ${join(here, 'dist')}`);
