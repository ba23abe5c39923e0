// Portal figures (not a test): the first load from a cold browser cache, and how long a
// committed state change takes to reach an open instance list. Needs a running server and the
// same environment as portal.e2e.mjs, plus NUBO_KEY ("<access-key-id>:<secret>").
import { chromium } from 'playwright-core';

const URL0 = process.env.NUBO_URL;
const KEY = process.env.NUBO_KEY;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const pct = (a, p) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];

const loads = [];
for (let i = 0; i < 10; i++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const t0 = Date.now();
  await page.goto(URL0 + '/ui/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const wall = Date.now() - t0;
  const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
  loads.push({ wall, interactive: nav.domInteractive, load: nav.loadEventEnd, bytes: nav.transferSize });
  await ctx.close();
}
console.log('first load, cold cache (ms): interactive', loads.map((l) => Math.round(l.interactive)), 'until the sign-in form shows', loads.map((l) => l.wall));

const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(URL0 + '/ui/');
await page.getByLabel('E-mail').fill(process.env.ADMIN_EMAIL);
await page.getByLabel('Password').fill(process.env.ADMIN_PASSWORD);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('button', { name: 'Sign out' }).waitFor();
await page.goto(URL0 + '/ui/instances');
await page.getByRole('heading', { name: 'Instances' }).waitFor();
await page.evaluate(() => {
  window.__shown = {};
  new MutationObserver(() => document.querySelectorAll('tr[data-instance]').forEach((tr) => {
    const id = tr.getAttribute('data-instance');
    window.__shown[id] ??= Date.now();
  })).observe(document.body, { subtree: true, childList: true });
});
const api = async (method, path, body) => (await fetch(URL0 + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) })).json();
const image = (await api('GET', '/images'))[0].imageId;
const lags = [];
for (let i = 0; i < 10; i++) {
  const r = await api('POST', '/instances', { imageId: image, instanceType: 'e2e.tiny' });
  const id = r.instances[0].instanceId;
  await page.locator(`tr[data-instance="${id}"]`).waitFor();
  const shown = await page.evaluate((id) => window.__shown[id], id);
  const ev = (await api('GET', `/instances/${id}/events`)).events[0];
  lags.push(shown - Date.parse(ev.at));
  await api('POST', `/instances/${id}/terminate`, {});
}
console.log('launch committed -> row in an open list (ms):', lags, 'p50', pct(lags, 0.5), 'max', Math.max(...lags));
await browser.close();
