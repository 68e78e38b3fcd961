// The real TUI in tmux, pointed at a fault proxy in front of a real embedded server. For each
// fault (slow, hung, bursts of 5xx, 429 with Retry-After, truncated and non-JSON bodies): the
// TUI keeps answering keys, the status bar says what is happening, and once the proxy passes
// traffic again it recovers by itself: a trace ingested afterwards shows up.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasTmux, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../helpers/fault-proxy.js';
import { ragTrace } from '../helpers/ingest.js';

const skip = hasTmux ? false : 'tmux is not installed';

/** capture-pane polling is coarse (one exec per poll): a generous bound for "answers at once". */
const KEY_BOUND_MS = 1_000;
/** From the proxy passing traffic again to a new trace on screen. */
const RECOVERY_BOUND_MS = 20_000;

/** The TUI's environment: its own XDG home, the test keys, the proxy as the backend. */
const tuiEnv = (home: string, proxy: FaultProxy) => ({ ...backendEnv(home, proxy.url), TRACETOP_STREAM_TIMEOUT_MS: '3000' });

const statusLine = (screen: string): string => screen.split('\n').find((line) => line.includes('●'))?.trim() ?? '(no status line)';

describe('the TUI against a faulty backend', { skip }, () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let tui: TmuxSession;
  const home = tempDir();
  const figures: string[] = [];

  before(async () => {
    server = await startTestServer();
    proxy = await startFaultProxy(server.url);
    await server.post('/api/public/ingestion', { batch: ragTrace('before-1', { name: 'before_faults' }) });
    tui = startTmux([], {
      env: tuiEnv(home.path, proxy),
      width: 160,
      height: 30,
    });
    await tui.waitFor(/before_faults/, 15_000);
    await tui.waitFor(/● live/);
  });

  after(async () => {
    tui?.kill();
    await proxy?.close();
    await server?.close();
    home.remove();
    if (figures.length) console.log(`backend-faults figures:\n  ${figures.join('\n  ')}`);
  });

  /** Sends a key and measures until its effect is on screen. */
  async function keyLatency(key: string, effect: RegExp): Promise<number> {
    const started = Date.now();
    tui.keys(key);
    await tui.waitFor(effect, 5_000);
    return Date.now() - started;
  }

  async function responsive(label: string): Promise<void> {
    const help = await keyLatency('?', /tracetop keys — Esc or \? closes/);
    const back = await keyLatency('Escape', /TIME\s+NAME/);
    figures.push(`${label}: ? → help ${help} ms, Esc → list ${back} ms`);
    assert.ok(help < KEY_BOUND_MS, `${label}: help took ${help} ms`);
    assert.ok(back < KEY_BOUND_MS, `${label}: back to the list took ${back} ms`);
  }

  /** Waits until the client has met the fault `count` times (its requests, not our switch). */
  async function faultedRequests(since: number, count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (proxy.log.filter((entry) => entry.at >= since && entry.outcome !== 'pass').length < count) {
      if (Date.now() > deadline) throw new Error(`the client did not meet the fault ${count} times: ${JSON.stringify(proxy.log.slice(-5))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function faultPhase(
    label: string,
    mode: FaultMode,
    expectStatus: RegExp,
    options: { releaseHung?: boolean; faults?: number; settleMs?: number; recoveryMs?: number } = {},
  ) {
    const started = Date.now();
    proxy.setMode(mode);
    // A new trace while the fault lasts: it must show up once the backend answers again.
    await server.post('/api/public/ingestion', { batch: ragTrace(`during-${label}`, { name: `during_${label}` }) });
    await faultedRequests(started, options.faults ?? 2);
    // Give the client a moment to digest the faulty answer before reading the status bar.
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 300));
    const screen = await tui.waitFor((s) => expectStatus.test(statusLine(s)), 10_000);
    figures.push(`${label}: ${proxy.log.filter((entry) => entry.at >= started && entry.outcome !== 'pass').length} faulted requests in ${Date.now() - started} ms; status: ${statusLine(screen)}`);
    await responsive(label);
    proxy.setMode({ kind: 'pass' }, { dropActive: false });
    if (options.releaseHung) proxy.releaseHung();
    const healed = Date.now();
    await server.post('/api/public/ingestion', { batch: ragTrace(`after-${label}`, { name: `after_${label}` }) });
    const recovered = await tui.waitFor((s) => s.includes(`after_${label}`) && s.includes(`during_${label}`), options.recoveryMs ?? RECOVERY_BOUND_MS);
    figures.push(`${label}: recovered (new trace on screen) ${Date.now() - healed} ms after pass-through; status: ${statusLine(recovered)}`);
    await tui.waitFor((s) => /● live/.test(statusLine(s)), 10_000);
  }

  it('stays responsive, says so, and recovers: bursts of 500/502/503/524', async () => {
    await faultPhase('burst5xx', { kind: 'status', statuses: [500, 502, 503, 524] }, /● (reconnecting|offline).*(50[023]|524)/);
  });

  it('429 with Retry-After', async () => {
    await faultPhase('ratelimit', { kind: 'status', statuses: [429], retryAfterSeconds: 1 }, /● (reconnecting|offline).*429/, { faults: 1 });
  });

  it('truncated bodies', async () => {
    await faultPhase('truncated', { kind: 'truncated' }, /● (reconnecting|offline)/, { faults: 1 });
  });

  it('non-JSON (HTML) bodies', async () => {
    await faultPhase('nonjson', { kind: 'non-json' }, /● (reconnecting|offline)/, { faults: 1 });
  });

  it('slow (5 s) answers', async () => {
    await faultPhase('slow', { kind: 'slow', delayMs: 5_000 }, /● (reconnecting|offline)/, { faults: 1 });
  });

  it('hung backend whose hung connections a load balancer cuts after a while', async () => {
    await faultPhase('cuthung', { kind: 'hung' }, /● (reconnecting|offline)/, { faults: 1, settleMs: 2_000, releaseHung: true });
  });

  // The stream request has a time limit (TRACETOP_STREAM_TIMEOUT_MS, 3 s here) and a silent
  // connection is cut by a watchdog, so a backend that accepts and never answers cannot wedge
  // the live view: once it answers again, the next attempt goes through.
  it('hung backend (accepts, never answers) that never lets go of the hung connection', async () => {
    await faultPhase('hung', { kind: 'hung' }, /● (reconnecting|offline)/, { faults: 1, settleMs: 2_000, recoveryMs: 12_000 });
  });

  it('while a backend stays hung, the status bar says for how long, and it heals', async () => {
    proxy.setMode({ kind: 'hung' });
    const screen = await tui.waitFor((s) => /● (reconnecting|offline) for \d+s/.test(statusLine(s)), 25_000);
    figures.push(`hung, still: ${statusLine(screen)}`);
    await responsive('hung, still');
    proxy.setMode({ kind: 'pass' }, { dropActive: false });
    await tui.waitFor((s) => /● live/.test(statusLine(s)), RECOVERY_BOUND_MS);
  });
});

describe('the TUI starting against a faulty backend', { skip }, () => {
  let server: TestServer;
  let proxy: FaultProxy;
  const home = tempDir();
  const sessions: TmuxSession[] = [];
  const figures: string[] = [];
  const env = () => tuiEnv(home.path, proxy);

  before(async () => {
    server = await startTestServer();
    proxy = await startFaultProxy(server.url);
    await server.post('/api/public/ingestion', { batch: ragTrace('history-1', { name: 'from_history' }) });
  });

  after(async () => {
    for (const session of sessions) session.kill();
    await proxy?.close();
    await server?.close();
    home.remove();
    if (figures.length) console.log(`start-up figures:\n  ${figures.join('\n  ')}`);
  });

  it('503 at start: the list shows at once, offline with the reason, keys work, and it connects once the backend answers', async () => {
    proxy.setMode({ kind: 'status', statuses: [503] });
    const started = Date.now();
    const tui = startTmux([], { env: env(), width: 160, height: 30 });
    sessions.push(tui);
    const screen = await tui.waitFor((s) => /● offline.*503/.test(statusLine(s)), 15_000);
    figures.push(`503 at start: first frame with the reason after ${Date.now() - started} ms: ${statusLine(screen)}`);
    const help = Date.now();
    tui.keys('?');
    await tui.waitFor(/tracetop keys/, 5_000);
    figures.push(`503 at start: ? → help ${Date.now() - help} ms`);
    assert.ok(Date.now() - help < KEY_BOUND_MS);
    tui.keys('Escape');
    proxy.setMode({ kind: 'pass' });
    const healed = Date.now();
    await tui.waitFor((s) => s.includes('from_history') && /● live/.test(statusLine(s)), RECOVERY_BOUND_MS);
    figures.push(`503 at start: live with history ${Date.now() - healed} ms after pass-through`);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('history reads failing (500) while the stream works: the status bar says so', async () => {
    proxy.setMode({ kind: 'status', statuses: [500] }, { paths: /^\/api\/public\/stream\/traces/ });
    const tui = startTmux([], { env: env(), width: 160, height: 30 });
    sessions.push(tui);
    const screen = await tui.waitFor((s) => /history: .*500/.test(statusLine(s)), 20_000);
    figures.push(`history 500: ${statusLine(screen)}`);
    proxy.setMode({ kind: 'pass' });
    await server.post('/api/public/ingestion', { batch: ragTrace('fresh-1', { name: 'fresh_after_history_fault' }) });
    await tui.waitFor(/fresh_after_history_fault/, 10_000);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  // A failed history load is retried with backoff, so the traces from before the TUI started show once it works.
  it('history reads failing at start are retried once they work', async () => {
    const started = Date.now();
    proxy.setMode({ kind: 'status', statuses: [500] }, { paths: /^\/api\/public\/stream\/traces/ });
    const tui = startTmux([], { env: env(), width: 160, height: 30 });
    sessions.push(tui);
    await tui.waitFor((s) => /history: .*500/.test(statusLine(s)), 20_000);
    // Both history reads (at start, and on the stream's first hello) have given up: 4 attempts each.
    const deadline = Date.now() + 15_000;
    while (proxy.log.filter((entry) => entry.at >= started && entry.path === '/api/public/stream/traces' && entry.outcome === '500').length < 8 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.setMode({ kind: 'pass' });
    await tui.waitFor(/from_history/, 6_000);
  });

  // The source is picked in the background when the backend does not answer within 1 s: the
  // first frame and the keys never wait on a hung backend.
  it('hung at start: a first frame and working keys within a few seconds', async () => {
    proxy.setMode({ kind: 'hung' });
    const started = Date.now();
    const tui = startTmux([], { env: env(), width: 160, height: 30 });
    sessions.push(tui);
    try {
      const screen = await tui.waitFor(/●/, 5_000);
      figures.push(`hung at start: first frame after ${Date.now() - started} ms: ${statusLine(screen)}`);
      assert.match(statusLine(screen), /● connecting.*waiting for/);
      const help = Date.now();
      tui.keys('?');
      await tui.waitFor(/tracetop keys/, 5_000);
      figures.push(`hung at start: ? → help ${Date.now() - help} ms`);
      assert.ok(Date.now() - help < KEY_BOUND_MS);
      tui.keys('Escape');
    } finally {
      proxy.setMode({ kind: 'pass' });
      proxy.releaseHung();
    }
    // The health check's own retries reach the healed backend: live, with history.
    await tui.waitFor((s) => s.includes('from_history') && /● live/.test(statusLine(s)), 90_000);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });
});
