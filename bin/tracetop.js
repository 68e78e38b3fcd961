#!/usr/bin/env node
// tracetop needs Node ≥ 22 (node:sqlite, Ink 8). npm scripts and npx put the Node 24 that
// `npm install` brought first on PATH; when an older node runs this file anyway (a global
// shim, a direct path), re-run it under that Node rather than fail on a missing module.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(`tracetop needs Node.js 22 or newer; this is ${process.version}.\n`);
    process.exit(1);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

// React's development build is several times larger and slower to load and to render; a user
// of the CLI never wants it.
process.env.NODE_ENV ??= 'production';

// Start-up is dominated by compiling Ink, React and undici: reuse V8's compiled code between
// runs (a cache in the OS temp dir; Node ignores it where unsupported).
try {
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
} catch {
  // An unwritable temp dir only costs speed.
}

// Ink imports one function (throttle) from es-toolkit's compat barrel, which loads the whole
// library (~100 ms of start-up). Point that one import at the function's own module when it
// is where this es-toolkit keeps it; otherwise resolve as usual.
try {
  const { registerHooks } = await import('node:module');
  registerHooks?.({
    resolve(specifier, context, next) {
      if (specifier === 'es-toolkit/compat' && context.parentURL?.endsWith('/node_modules/ink/build/ink.js')) {
        const direct = new URL('../../es-toolkit/dist/compat/function/throttle.mjs', context.parentURL);
        if (existsSync(fileURLToPath(direct))) return { url: direct.href, shortCircuit: true, format: 'module' };
      }
      return next(specifier, context);
    },
  });
} catch {
  // Hooks are an optimisation only.
}

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('tracetop is not built: run `npm install` (it builds) or `npm run build`.\n');
  process.exit(1);
}
// The full-screen TUI (no command, a terminal on stdout) needs Ink first of all: start
// loading it now, alongside the command-line parsing and the client.
const firstArgument = process.argv[2];
const informational = ['--version', '-v', '--help', '-h'].some((flag) => process.argv.includes(flag));
if (process.stdout.isTTY && !informational && (firstArgument === undefined || firstArgument.startsWith('-') || firstArgument === 'tui')) {
  import(new URL('../dist/ui/run.js', import.meta.url).href).catch(() => {});
}
const { run } = await import(main.href);
await run(process.argv.slice(2));
