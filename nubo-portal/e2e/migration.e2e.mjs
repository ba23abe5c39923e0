// The operator's live migration and drain in a real browser (Debian's chromium, playwright-core)
// against a real Nubo server with two hosts (the server's own and a `nubo agent` process), both
// running real QEMU. From the hosts page the admin moves a running VM to the second host, watches
// the dialog's progress to the end and sees the VM listed on its new host; then drains that host,
// sees the VM come back and the host end in maintenance, and enables it again. Started by nubo-e2e's
// PortalMigrationBrowserTest, which checks the same outcome through the API and stops the processes.
// Exits non-zero on the first failure.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error('missing environment variable ' + k);
  return v;
};
const URL0 = env('NUBO_URL');
const ADMIN = { email: env('ADMIN_EMAIL'), password: env('ADMIN_PASSWORD') };
const VM = env('VM');
const SOURCE = env('SOURCE_HOST');
const DESTINATION = env('DESTINATION_HOST');
const SHOTS = env('SCREENSHOTS');
const WORK = mkdtempSync(join(tmpdir(), 'nubo-migration-e2e-'));
mkdirSync(SHOTS, { recursive: true });
const log = (...a) => console.log(new Date().toISOString(), ...a);
const LONG = 240_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();

/** The REST API from inside the page, as the portal calls it (session cookie + CSRF header). */
async function inPage(method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const s = await (await fetch('/portal/session')).json();
    const r = await fetch('/api/v1' + path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: await r.json().catch(() => ({})) };
  }, { method, path, body });
}

/** Waits for a condition of the server's state, asking once a second (before the page shows anything of it). */
async function until(condition, what) {
  for (const t0 = Date.now(); !(await condition()); ) {
    if (Date.now() - t0 > LONG) throw new Error('timed out waiting until ' + what);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const instance = async () => (await inPage('GET', '/instances/' + VM)).json;

try {
  await page.goto(URL0 + '/ui/');
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await until(async () => (await instance()).state?.name === 'running', VM + ' runs');
  const hosts = (await inPage('GET', '/hosts')).json;
  const nameOf = (id) => hosts.find((h) => h.hostId === id).name;
  const sourceName = nameOf(SOURCE);
  const destinationName = nameOf(DESTINATION);
  assert.equal(destinationName, 'host-b');

  await page.goto(URL0 + '/ui/admin/hosts');
  await page.getByRole('heading', { name: 'Hosts', exact: true }).waitFor();
  const hostB = page.getByRole('region', { name: 'Host host-b' });
  const hostA = page.getByRole('region', { name: 'Host ' + sourceName });
  await hostB.getByText('0 VMs: none').waitFor();
  await hostA.getByText(new RegExp(`VMs: .*${VM}`)).waitFor();
  const row = page.getByRole('table', { name: 'All instances' }).locator(`tr[data-instance="${VM}"]`);
  await row.getByRole('cell', { name: sourceName, exact: true }).waitFor();

  // 1. Live-migrate to host-b, chosen in the dialog, confirmed, followed to its end.
  log('migrate', VM, 'from', sourceName, 'to', destinationName);
  await row.getByRole('button', { name: 'Migrate' }).click();
  const dialog = page.getByRole('dialog', { name: 'Migrate ' + VM });
  await dialog.getByLabel('Destination host').selectOption(DESTINATION);
  await dialog.getByRole('button', { name: 'Migrate', exact: true }).click();
  await dialog.getByRole('group', { name: 'Confirm the migration' }).getByText(`Move ${VM} to host-b?`).waitFor();
  const t0 = Date.now();
  await dialog.getByRole('button', { name: 'Yes, migrate' }).click();
  const progress = dialog.getByRole('region', { name: 'Migration progress' });
  await progress.waitFor();
  // The dialog shows the migration while it runs (the API answers the request before it ends), then its end.
  const first = await progress.getAttribute('data-migration-state');
  assert.ok(['preparing', 'migrating'].includes(first), 'the dialog follows a migration still running, not ' + first);
  await progress.getByText(`${sourceName} → host-b`).waitFor();
  const seen = new Set([first]);
  // Each state the dialog shows on its way; the screenshot is taken once the copy's bar is there, while it runs if it can.
  let shot = false;
  for (;;) {
    const state = await progress.getAttribute('data-migration-state');
    seen.add(state);
    if (!shot && (state === 'migrating' || state === 'completed') && (await progress.getByText(/^Copied /).count()) > 0) {
      await page.screenshot({ path: join(SHOTS, 'operator-migration.png') });
      shot = true;
    }
    if (state === 'completed' || state === 'failed') break;
    if (Date.now() - t0 > LONG) throw new Error('the migration did not end in the dialog; states seen: ' + [...seen]);
    await page.waitForFunction((s) => document.querySelector('[aria-label="Migration progress"]')?.getAttribute('data-migration-state') !== s,
      state, { timeout: LONG, polling: 100 });
  }
  const end = await progress.getAttribute('data-migration-state');
  assert.equal(end, 'completed', await progress.textContent());
  await progress.getByText(/^Done in \d+ ms, with the VM paused for \d+ ms\.$/).waitFor();
  log('MEASURE migration in the browser:', Date.now() - t0, 'ms from the click to completed; states shown', [...seen], '-',
    await progress.getByText(/^Done in/).textContent());
  if (!shot) await page.screenshot({ path: join(SHOTS, 'operator-migration.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });

  // On the new host, in the page and in the API, and still running.
  await row.getByRole('cell', { name: 'host-b', exact: true }).waitFor();
  await hostB.getByText(`1 VMs: ${VM}`).waitFor();
  const moved = await instance();
  assert.equal(moved.hostId, DESTINATION);
  assert.equal(moved.state.name, 'running');
  assert.equal((await inPage('GET', `/instances/${VM}/migration`)).json.state, 'completed');
  await row.getByRole('button', { name: 'Migrate' }).waitFor();

  // 2. Drain host-b: the VM is live-migrated back (the only other host), and host-b ends in maintenance.
  log('drain host-b');
  await hostB.getByRole('button', { name: 'Drain' }).click();
  await page.getByRole('alertdialog', { name: 'Drain' }).getByRole('button', { name: 'Yes, drain' }).click();
  // The page follows the drain from the event stream: the VM's move, then the host's change to maintenance.
  await hostB.getByRole('heading').locator('[data-state="maintenance"]').waitFor({ timeout: LONG });
  const report = hostB.getByRole('table', { name: 'Drained instances' });
  await report.getByRole('row').filter({ hasText: VM }).locator('[data-state="completed"]').waitFor();
  await report.getByRole('row').filter({ hasText: VM }).getByRole('cell', { name: sourceName, exact: true }).waitFor();
  await row.getByRole('cell', { name: sourceName, exact: true }).waitFor();
  await hostB.getByText('0 VMs: none').waitFor();
  const back = await instance();
  assert.equal(back.hostId, SOURCE);
  assert.equal(back.state.name, 'running');
  assert.equal((await inPage('GET', '/hosts/' + DESTINATION)).json.state, 'maintenance');
  await page.screenshot({ path: join(SHOTS, 'operator-drain.png'), fullPage: true });

  // 3. Enable it again.
  log('enable host-b');
  await hostB.getByRole('button', { name: 'Enable' }).click();
  await hostB.getByRole('heading').locator('[data-state="up"]').waitFor();
  await hostB.getByRole('button', { name: 'Drain' }).waitFor();
  assert.equal((await inPage('GET', '/hosts/' + DESTINATION)).json.state, 'up');
} catch (e) {
  const alerts = await page.getByRole('alert').allTextContents().catch(() => []);
  console.log('page', page.url(), 'alerts:', JSON.stringify(alerts));
  await page.screenshot({ path: join(WORK, 'failure.png'), fullPage: true }).catch(() => {});
  console.log('failure screenshot in', WORK);
  throw e;
}
await browser.close();
log('portal migration e2e: all passed');
