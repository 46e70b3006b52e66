// The live trajectory-prediction page (issue 9): `npm run web` serves it, `npm run build:web`
// writes static files to dist-web/ that work from any static file server (relative asset paths).
// The page imports the host from source (host/*.ts) and bundles the models and the scene as assets.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const web = dirname(fileURLToPath(import.meta.url));
const root = join(web, '..');

export default defineConfig({
  root: web,
  base: './',
  publicDir: false,
  clearScreen: false,
  server: { fs: { allow: [root] } },
  build: {
    outDir: join(root, 'dist-web'),
    emptyOutDir: true,
    target: 'es2022',
    // the .ernn models and the scene are assets: never inline them into the JavaScript
    assetsInlineLimit: 0,
    // h5wasm (the HDF5 reader for dropped .keras/.h5 files) is a 4 MB chunk loaded on demand
    chunkSizeWarningLimit: 5000,
    reportCompressedSize: false,
  },
});
