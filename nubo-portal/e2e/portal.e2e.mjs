// The portal's acceptance test: a real browser (Debian's chromium, driven by playwright-core)
// against a real Nubo server with real QEMU VMs. Started by nubo-e2e's PortalBrowserTest, which
// passes the server and users in the environment. Exits non-zero on the first failure.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
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
const OTHER = { email: env('OTHER_EMAIL'), password: env('OTHER_PASSWORD') };
const VICTIM = { email: env('VICTIM_EMAIL'), password: env('VICTIM_PASSWORD') };
const TYPE = env('INSTANCE_TYPE');
const SHOTS = env('SCREENSHOTS');
const WORK = mkdtempSync(join(tmpdir(), 'nubo-portal-e2e-'));
mkdirSync(SHOTS, { recursive: true });
const log = (...a) => console.log(new Date().toISOString(), ...a);
const LONG = 240_000;

// Chromium as root on these machines: no sandbox, no background network; Playwright gives every
// launch a fresh, empty profile of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

async function signIn(page, who) {
  await page.goto(URL0 + '/ui/');
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Calls the REST API from inside the page, as the portal does (session cookie + CSRF header). */
async function inPage(page, method, path, body, withCsrf = true) {
  return page.evaluate(async ({ method, path, body, withCsrf }) => {
    const s = await (await fetch('/portal/session')).json();
    const headers = { 'Content-Type': 'application/json' };
    if (withCsrf) headers['X-CSRF-Token'] = s.csrfToken;
    const r = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: await r.json().catch(() => ({})) };
  }, { method, path, body, withCsrf });
}

/** Opens a WebSocket from the page; resolves with the first frame's size or the close code. */
async function wsProbe(page, path) {
  return page.evaluate((path) => new Promise((resolve) => {
    const ws = new WebSocket('ws://' + location.host + path);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (m) => { resolve({ data: m.data.byteLength ?? m.data.length }); ws.close(); };
    ws.onclose = (e) => resolve({ close: e.code });
  }), path);
}

function ocr(png) {
  const file = join(WORK, 'screen.png');
  writeFileSync(file, png);
  return execFileSync('tesseract', [file, 'stdout', '--psm', '6'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
const page = await context.newPage();

// 1. Sign in; the session cookie is HttpOnly and SameSite=Strict.
log('sign in');
await signIn(page, ADMIN);
const cookie = (await context.cookies()).find((c) => c.name === 'nubo_session');
assert.ok(cookie, 'the session cookie is set');
assert.equal(cookie.httpOnly, true);
assert.equal(cookie.sameSite, 'Strict');
assert.equal(await page.evaluate(() => document.cookie.includes('nubo_session')), false, 'scripts cannot read the cookie');
await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
await page.screenshot({ path: join(SHOTS, 'dashboard.png') });

// The operator's hosts page before the launch: remember the allocated vCPUs.
await page.getByRole('link', { name: 'Hosts' }).click();
const vcpuMeter = page.getByRole('meter', { name: 'vCPUs allocated' }).first();
await vcpuMeter.waitFor();
const vcpusBefore = Number(await vcpuMeter.getAttribute('aria-valuenow'));

// 2. A second tab on the instance list, open before the launch, must show the new VM go from
//    pending to running by itself (server-sent events), without a reload.
const list = await context.newPage();
await list.goto(URL0 + '/ui/instances');
await list.getByRole('heading', { name: 'Instances' }).waitFor();
await list.evaluate(() => {
  window.__notReloaded = true;
  window.__seen = {};
  const record = () => document.querySelectorAll('tr[data-instance]').forEach((tr) => {
    const id = tr.getAttribute('data-instance');
    const s = tr.querySelector('[data-state]')?.getAttribute('data-state');
    const seen = (window.__seen[id] ??= []);
    if (s && seen[seen.length - 1] !== s) seen.push(s);
  });
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
});

// 3. The launch wizard, with a new key pair downloaded on the spot, a chosen security group, and user data that
//    opens a shell on the VGA console. The group is made through the API here (its page has its own test).
log('launch wizard');
const groupName = 'portal-web-' + Date.now();
const made = await inPage(page, 'POST', '/security-groups', { groupName, description: 'chosen in the launch wizard' });
assert.equal(made.status, 201, JSON.stringify(made.json));
const groupId = made.json.groupId;
await page.getByRole('link', { name: 'Instances', exact: true }).click();
await page.getByRole('button', { name: 'Launch instances' }).click();
await page.getByRole('radio').first().check();
await page.getByRole('button', { name: 'Next' }).click();
await page.getByRole('radio', { name: TYPE }).check();
await page.getByRole('button', { name: 'Next' }).click();
const keyName = 'portal-' + Date.now();
await page.getByLabel('New key pair name').fill(keyName);
const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Create and download' }).click()]);
const keyFile = join(WORK, download.suggestedFilename());
await download.saveAs(keyFile);
assert.match(readFileSync(keyFile, 'utf8'), /BEGIN OPENSSH PRIVATE KEY/);
await page.getByRole('combobox', { name: /Key pair/ }).selectOption(keyName);
await page.getByRole('button', { name: 'Next' }).click();
await page.getByRole('checkbox', { name: new RegExp(groupName) }).check();
await page.getByRole('button', { name: 'Next' }).click();
await page.getByLabel('Name', { exact: true }).fill('portal-vm');
await page.getByLabel('Root disk size (GiB)').fill('3');
await page.getByLabel(/User data/).fill([
  '#!/bin/sh',
  '# An interactive shell on the VGA console (tty1), for the console test.',
  "printf '\\033c' > /dev/tty1",
  "setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1' </dev/null >/dev/null 2>&1 &",
  'echo tty1 shell started',
].join('\n'));
await page.getByRole('button', { name: 'Next' }).click();
await page.getByText('Estimated cost').waitFor();
assert.equal(await page.getByTestId('summary-groups').textContent(), `${groupName} (${groupId})`);
assert.equal(await page.getByTestId('summary-root').textContent(), '3 GiB');
await page.screenshot({ path: join(SHOTS, 'launch-wizard.png') });
await page.getByRole('button', { name: 'Launch' }).click();
await page.waitForURL(/\/ui\/instances\/i-[0-9a-f]+$/);
const id = page.url().split('/').pop();
log('launched', id);

await list.locator(`tr[data-instance="${id}"] [data-state="running"]`).waitFor({ timeout: LONG });
const seen = await list.evaluate((id) => ({ states: window.__seen[id], same: window.__notReloaded === true }), id);
log('list saw', seen.states);
assert.equal(seen.same, true, 'the list page was not reloaded');
assert.deepEqual(seen.states.slice(0, 1), ['pending']);
assert.equal(seen.states[seen.states.length - 1], 'running');

// 4. Instance page: running, SSH command with the new key; as admin, the host's capacity grew.
await page.locator('.title-row [data-state="running"]').waitFor({ timeout: LONG });
await page.getByLabel('SSH command').getByText(keyName + '.pem').waitFor();
// The group chosen in the wizard is the instance's only one, on its page and in the API.
await page.getByRole('region', { name: 'Security groups' }).locator(`[data-group="${groupId}"]`).waitFor();
assert.deepEqual((await inPage(page, 'GET', `/instances/${id}/security-groups`)).json.map((g) => g.groupId), [groupId]);
// The running instance's groups change on its page: a second group added, then none (refused with the API's code, nothing
// changes), then back to the first alone.
log('edit the instance\'s groups');
const extraName = 'portal-extra-' + Date.now();
const extra = await inPage(page, 'POST', '/security-groups', { groupName: extraName, description: 'added after launch' });
assert.equal(extra.status, 201, JSON.stringify(extra.json));
const extraId = extra.json.groupId;
const groupsRegion = page.getByRole('region', { name: 'Security groups' });
const instanceGroups = async () => (await inPage(page, 'GET', `/instances/${id}/security-groups`)).json.map((g) => g.groupId).sort();
const editGroups = async () => {
  await groupsRegion.getByRole('button', { name: 'Edit groups' }).click();
  const form = groupsRegion.getByRole('form', { name: 'Edit the instance\'s security groups' });
  await form.getByRole('checkbox', { name: `${groupName} (${groupId})` }).waitFor();
  return form;
};
let editor = await editGroups();
assert.equal(await editor.getByRole('checkbox', { name: `${groupName} (${groupId})` }).isChecked(), true);
assert.equal(await editor.getByRole('button', { name: 'Save groups' }).isDisabled(), true, 'nothing to save before a change');
await editor.getByRole('checkbox', { name: `${extraName} (${extraId})` }).check();
await groupsRegion.screenshot({ path: join(SHOTS, 'instance-groups.png') });
await editor.getByRole('button', { name: 'Save groups' }).click();
await editor.waitFor({ state: 'detached' });
await groupsRegion.locator(`[data-group="${extraId}"]`).waitFor();
assert.deepEqual(await instanceGroups(), [groupId, extraId].sort());
editor = await editGroups();
await editor.getByRole('checkbox', { name: `${groupName} (${groupId})` }).uncheck();
await editor.getByRole('checkbox', { name: `${extraName} (${extraId})` }).uncheck();
await editor.getByRole('button', { name: 'Save groups' }).click();
const noGroup = await editor.getByRole('alert').textContent();
assert.match(noGroup, /^MissingParameter: .*at least one security group/, noGroup);
assert.deepEqual(await instanceGroups(), [groupId, extraId].sort(), 'a refused change changes nothing');
await editor.getByRole('button', { name: 'Cancel' }).click();
await editor.waitFor({ state: 'detached' });
editor = await editGroups();
await editor.getByRole('checkbox', { name: `${extraName} (${extraId})` }).uncheck();
await editor.getByRole('button', { name: 'Save groups' }).click();
await groupsRegion.locator(`[data-group="${extraId}"]`).waitFor({ state: 'detached' });
await groupsRegion.locator(`[data-group="${groupId}"]`).waitFor();
assert.deepEqual(await instanceGroups(), [groupId]);
// The root disk size chosen in the wizard is the instance's.
assert.equal((await inPage(page, 'GET', `/instances/${id}`)).json.rootDiskGib, 3);
await page.goto(URL0 + '/ui/admin/hosts');
await page.getByRole('meter', { name: 'vCPUs allocated' }).first().waitFor();
const vcpusAfter = Number(await page.getByRole('meter', { name: 'vCPUs allocated' }).first().getAttribute('aria-valuenow'));
assert.ok(vcpusAfter > vcpusBefore, `allocated vCPUs grew (${vcpusBefore} -> ${vcpusAfter})`);
await page.screenshot({ path: join(SHOTS, 'operator-hosts.png'), fullPage: true });

// The operator takes the host out of service and puts it back; a join token comes with the command to run.
log('host actions');
const hostCard = page.locator('section.host').first();
await hostCard.getByRole('button', { name: 'Disable' }).click();
await page.getByRole('alertdialog', { name: 'Disable' }).getByRole('button', { name: 'Yes, disable' }).click();
await hostCard.locator('h2 [data-state="disabled"]').waitFor();
await hostCard.getByRole('button', { name: 'Enable' }).click();
await hostCard.locator('h2 [data-state="up"]').waitFor();
await page.getByRole('button', { name: 'Create a join token' }).click();
const joinCommand = await page.getByLabel('Join command').textContent();
assert.match(joinCommand, /--join-token njt-[0-9a-f]{17}\.[A-Za-z0-9_-]{43} --name/);

// An image uploaded from a file, with its SHA-256 computed in the page; it becomes available, then is deregistered.
log('image upload');
const disk = join(WORK, 'tiny.qcow2');
execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
await page.getByRole('link', { name: 'Images' }).click();
const importForm = page.getByRole('form', { name: 'Import an image' });
await importForm.getByLabel('Name').fill('portal-upload');
await importForm.getByLabel('or file').setInputFiles(disk);
await importForm.getByRole('button', { name: 'Upload' }).click();
const uploaded = page.locator('tr', { hasText: 'portal-upload' });
await uploaded.locator('[data-state="available"]').waitFor({ timeout: LONG });
assert.match(await uploaded.textContent(), /qcow2/);
await page.screenshot({ path: join(SHOTS, 'images.png'), fullPage: true });
await uploaded.getByRole('button', { name: 'Deregister' }).click();
await page.getByRole('alertdialog', { name: 'Deregister' }).getByRole('button', { name: 'Yes, deregister' }).click();
await uploaded.waitFor({ state: 'detached' });

// 5. The console: noVNC over the relayed WebSocket; type a command and read its output off the screen.
log('console');
await page.goto(URL0 + '/ui/instances/' + id);
// The user-data script runs before the guest's READY marker; wait for it in the console log.
for (let i = 0; ; i++) {
  await page.getByRole('button', { name: /Show the console log|Refresh/ }).click();
  if ((await page.getByLabel('Console log').textContent()).includes('NUBO-GUEST-READY')) break;
  assert.ok(i < 120, 'the guest became ready');
  await page.waitForTimeout(2000); // polling the guest's serial log, not a UI wait
}
await page.getByRole('button', { name: 'Open console' }).click();
await page.locator('[data-console-status="connected"]').waitFor({ timeout: 60_000 });
const screen = page.getByLabel('VM screen');
const canvas = screen.locator('canvas');
await canvas.waitFor();
await canvas.click();
// noVNC sends keys by their physical code and the Shift state, so press Shift for '$' and capitals.
for (const ch of 'echo portal-$RANDOM') {
  if (ch === '$') await page.keyboard.press('Shift+Digit4');
  else if (/[A-Z]/.test(ch)) await page.keyboard.press('Shift+Key' + ch);
  else await page.keyboard.type(ch);
}
await page.keyboard.press('Enter');
let text = '';
let value = null;
for (let i = 0; i < 30 && !value; i++) {
  text = ocr(await canvas.screenshot());
  // OCR may read the hyphen as a dash.
  const line = text.split('\n').find((l) => /portal[-\u2013\u2014]\d+/.test(l) && !/echo/.test(l));
  value = line ? line.match(/portal[-\u2013\u2014]\d+/)[0].replace(/[\u2013\u2014]/, '-') : null;
  if (!value) await page.waitForTimeout(1000); // the guest's screen updates on its own schedule
}
log('screen says', JSON.stringify(text));
assert.ok(value, 'the command\'s output is on the screen');
log('read back', value);
await page.screenshot({ path: join(SHOTS, 'instance-console.png') });

// 6. Security: console tickets work once, for one instance; another tenant sees nothing of ours.
log('security');
const t1 = await inPage(page, 'POST', `/instances/${id}/console-ticket`, {});
assert.equal(t1.status, 201);
const first = await wsProbe(page, t1.json.path);
assert.ok(first.data > 0, 'a fresh ticket opens the console: ' + JSON.stringify(first));
assert.deepEqual(await wsProbe(page, t1.json.path), { close: 1008 }, 'a used ticket is refused');
const t2 = await inPage(page, 'POST', `/instances/${id}/console-ticket`, {});
assert.deepEqual(await wsProbe(page, t2.json.path.replace(id, 'i-0123456789abcdef0')), { close: 1008 }, 'a ticket for another instance is refused');
assert.equal((await inPage(page, 'POST', '/key-pairs', { keyName: 'no-csrf' }, false)).status, 403, 'no CSRF token, no change');

const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const otherPage = await other.newPage();
await signIn(otherPage, OTHER);
await otherPage.goto(URL0 + '/ui/instances/' + id);
await otherPage.getByRole('heading', { name: 'No such instance' }).waitFor();
await otherPage.getByText('InvalidInstanceID.NotFound').waitFor();
const foreignTicket = await inPage(otherPage, 'POST', `/instances/${id}/console-ticket`, {});
assert.equal(foreignTicket.status, 400);
assert.equal(foreignTicket.json.code, 'InvalidInstanceID.NotFound');
assert.equal((await inPage(otherPage, 'GET', '/instances/' + id + '/console')).json.code, 'InvalidInstanceID.NotFound');
const otherList = await inPage(otherPage, 'GET', '/instances');
assert.ok(!JSON.stringify(otherList.json).includes(id), "B's list has none of A's instances");

// A cross-site form POST (from another origin) carries no session and changes nothing.
const evil = await context.newPage();
await evil.setContent(`<form method="POST" action="${URL0}/api/v1/key-pairs" enctype="text/plain">
  <input name='{"keyName":"cross-site","x":"' value='"}'></form>`);
await Promise.all([evil.waitForNavigation(), evil.evaluate(() => document.forms[0].submit())]);
const evilAnswer = await evil.textContent('body');
assert.match(evilAnswer, /AuthFailure|UnauthorizedOperation/, 'the cross-site POST is rejected: ' + evilAnswer);
assert.equal((await inPage(page, 'GET', '/key-pairs/cross-site')).status, 400, 'no key pair was created');

// Ten wrong passwords in a row, then even the right one is refused for a while.
const probe = await browser.newContext();
const probePage = await probe.newPage();
await probePage.goto(URL0 + '/ui/');
for (let i = 0; i < 10; i++) {
  const r = await probePage.request.post(URL0 + '/portal/session', { data: { email: VICTIM.email, password: 'wrong-' + i } });
  assert.equal(r.status(), 401);
}
const blocked = await probePage.request.post(URL0 + '/portal/session', { data: { email: VICTIM.email, password: VICTIM.password } });
assert.equal(blocked.status(), 429);
assert.ok(Number(blocked.headers()['retry-after']) > 0);

// 7. Stop and terminate, with their confirmations.
log('stop and terminate');
await page.goto(URL0 + '/ui/instances/' + id);
await page.getByRole('button', { name: 'Stop' }).click();
await page.getByRole('button', { name: 'Yes, stop' }).click();
await page.locator('.title-row [data-state="stopped"]').waitFor({ timeout: LONG });
await page.getByRole('button', { name: 'Terminate' }).click();
await page.getByRole('button', { name: 'Yes, terminate' }).click();
await page.locator('.title-row [data-state="terminated"]').waitFor({ timeout: LONG });
await page.getByRole('list', { name: 'State history' }).getByText('terminated').first().waitFor();

await browser.close();
log('portal e2e: all passed');
