// The portal's newer pages in a real browser (Debian's chromium, playwright-core) against a real
// Nubo server with a real QEMU VM: volumes (create, attach, detach, grow, delete), usage and
// invoices with the cost chart, the budget (and its bad-URL error), instance tags, rules and
// resize, a partner's customers and price book, the operator's prices and quotas; then every main
// page at phone width (no sideways scrolling) and an axe-core accessibility check. Started by
// nubo-e2e's PortalPagesBrowserTest. Exits non-zero on the first failure.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
const TENANT = { email: env('TENANT_EMAIL'), password: env('TENANT_PASSWORD') };
const PARTNER = { email: env('PARTNER_EMAIL'), password: env('PARTNER_PASSWORD') };
const TENANT_ACCOUNT = env('TENANT_ACCOUNT');
const TYPE = env('INSTANCE_TYPE');
const BIGGER_TYPE = env('BIGGER_INSTANCE_TYPE');
const SHOTS = env('SCREENSHOTS');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WORK = mkdtempSync(join(tmpdir(), 'nubo-pages-e2e-'));
mkdirSync(SHOTS, { recursive: true });
const log = (...a) => console.log(new Date().toISOString(), ...a);
const LONG = 240_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

const opened = [];
// axe-core is injected as a script, which the server's Content-Security-Policy rightly forbids;
// only the contexts that run it bypass the policy.
async function session(who, viewport = { width: 1280, height: 800 }, bypassCSP = false) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, bypassCSP });
  const page = await context.newPage();
  opened.push(page);
  await page.goto(URL0 + '/ui/');
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** The REST API from inside the page, as the portal calls it (session cookie + CSRF header). */
async function inPage(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const s = await (await fetch('/portal/session')).json();
    const r = await fetch('/api/v1' + path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: await r.json().catch(() => ({})) };
  }, { method, path, body });
}

/** Waits for a condition of the server's state, asking once a second (not a UI wait: nothing on the page changes by itself). */
async function until(condition, what) {
  for (const t0 = Date.now(); !(await condition()); ) {
    if (Date.now() - t0 > LONG) throw new Error('timed out waiting until ' + what);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function go(page, path, heading) {
  await page.goto(URL0 + '/ui' + path);
  await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
}

/** Runs axe-core in the page (WCAG 2 A and AA rules); returns the violations as short strings. */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** On a failure: what each open page shows (its URL and alerts), and a screenshot of it in the work directory. */
async function dump() {
  for (const [i, p] of opened.entries()) {
    const alerts = await p.getByRole('alert').allTextContents().catch(() => []);
    console.log('page', i, p.url(), 'alerts:', JSON.stringify(alerts));
    await p.screenshot({ path: join(WORK, `failure-${i}.png`), fullPage: true }).catch(() => {});
  }
  console.log('failure screenshots in', WORK);
}

try {
// The tenant's VM, launched through the API in the page (the wizard has its own test).
const tenant = await session(TENANT);
const image = (await inPage(tenant, 'GET', '/images')).json.find((i) => i.state === 'available');
const run = await inPage(tenant, 'POST', '/instances', { imageId: image.imageId, instanceType: TYPE, name: 'pages-vm' });
assert.equal(run.status, 201, JSON.stringify(run.json));
const vm = run.json.instances[0].instanceId;
log('launched', vm);

// 1. Volumes: create one; a bad growth shows the API's code; attach it to the running VM, detach (forced), grow, delete.
log('volumes');
await go(tenant, '/volumes', 'Volumes');
const create = tenant.getByRole('form', { name: 'Create a volume' });
await create.waitFor();
await create.getByLabel('Size (GiB)').fill('1');
await create.getByLabel('Name (optional)').fill('pages-data');
await create.getByRole('button', { name: 'Create volume' }).click();
const row = tenant.locator('tr[data-volume]', { hasText: 'pages-data' });
await row.locator('[data-state="available"]').waitFor({ timeout: LONG });
const volumeId = await row.getAttribute('data-volume');
log('volume', volumeId);
// The VM's root disk is a volume too, marked as its root, which is neither detached nor grown on its own.
const rootRow = tenant.locator('tr[data-volume]', { hasText: '(root)' }).filter({ hasText: vm });
await rootRow.waitFor({ timeout: LONG });
assert.equal(await rootRow.getByRole('button', { name: 'Detach' }).isDisabled(), true);
assert.equal(await rootRow.getByRole('button', { name: 'Grow' }).isDisabled(), true);
// io1 without IOPS: the form asks; multi-attach is offered only for io1 and io2.
await create.getByLabel('Type').selectOption('gp2');
assert.equal(await create.getByLabel('Multi-attach (io1, io2)').isDisabled(), true);
await create.getByLabel('Type').selectOption('io2');
assert.equal(await create.getByLabel('Multi-attach (io1, io2)').isDisabled(), false);
await create.getByLabel('Type').selectOption('gp3');

await row.getByRole('button', { name: 'Grow' }).click();
// Volumes never shrink: the API refuses, and the page shows its code and message.
await tenant.getByLabel('New size (GiB)').fill('0');
await tenant.getByRole('button', { name: 'Grow volume' }).click();
const growError = await tenant.getByRole('form', { name: 'Grow ' + volumeId }).getByRole('alert').textContent();
assert.match(growError, /InvalidParameterValue/, 'the API\'s code shows: ' + growError);
log('bad growth said', growError);

await until(async () => (await inPage(tenant, 'GET', '/instances/' + vm)).json.state?.name === 'running', vm + ' runs');
await row.getByRole('button', { name: 'Attach' }).click();
const attach = tenant.getByRole('form', { name: 'Attach ' + volumeId });
await attach.getByLabel('Instance').selectOption(vm);
await attach.getByRole('button', { name: 'Attach volume' }).click();
await row.locator('[data-state="in-use"]').waitFor({ timeout: LONG });
await row.locator('[data-state="attached"]').waitFor({ timeout: LONG }); // the guest has the disk
await row.getByText(vm).waitFor();
await tenant.screenshot({ path: join(SHOTS, 'volumes.png'), fullPage: true });

await row.getByRole('button', { name: 'Detach' }).click();
const detach = tenant.getByRole('form', { name: 'Detach ' + volumeId });
await detach.getByLabel(/Force/).check();
await detach.getByRole('button', { name: 'Detach volume' }).click();
await row.locator('[data-state="available"]').waitFor({ timeout: LONG });

await row.getByRole('button', { name: 'Grow' }).click();
await tenant.getByLabel('New size (GiB)').fill('2');
await tenant.getByRole('button', { name: 'Grow volume' }).click();
await row.getByRole('cell', { name: '2 GiB', exact: true }).waitFor({ timeout: LONG });
await row.getByText(/^(modifying|optimizing):/).waitFor({ state: 'detached', timeout: LONG });

// Snapshots, when the server has their REST routes (they arrive with the storage work): snapshot
// the volume, make a new volume from it, and delete both.
if ((await inPage(tenant, 'GET', '/snapshots')).status === 200) {
  log('snapshots');
  const snap = tenant.getByRole('form', { name: 'Create a snapshot' });
  await snap.getByLabel('Volume to snapshot').selectOption(volumeId);
  await snap.getByLabel('Description (optional)').fill('pages-snap');
  await snap.getByRole('button', { name: 'Create snapshot' }).click();
  const snapRow = tenant.locator('tr[data-snapshot]', { hasText: 'pages-snap' });
  await snapRow.locator('[data-state="completed"]').waitFor({ timeout: LONG });
  const snapshotId = await snapRow.getAttribute('data-snapshot');
  await snapRow.getByRole('button', { name: 'Create volume' }).click();
  await tenant.getByRole('form', { name: 'Volume from ' + snapshotId }).getByRole('button', { name: 'Create the volume' }).click();
  await until(async () => (await inPage(tenant, 'GET', '/volumes')).json.volumes.some((v) => v.snapshotId === snapshotId && v.state === 'available'),
    'a volume from ' + snapshotId + ' is available');
  const restored = (await inPage(tenant, 'GET', '/volumes')).json.volumes.find((v) => v.snapshotId === snapshotId).volumeId;
  await tenant.locator(`tr[data-volume="${restored}"] [data-state="available"]`).waitFor({ timeout: LONG });
  await tenant.screenshot({ path: join(SHOTS, 'snapshots.png'), fullPage: true });
  await snapRow.getByRole('button', { name: 'Delete snapshot' }).click();
  await tenant.getByRole('alertdialog', { name: 'Delete snapshot' }).getByRole('button', { name: 'Yes, delete snapshot' }).click();
  await snapRow.waitFor({ state: 'detached', timeout: LONG });
  await inPage(tenant, 'DELETE', '/volumes/' + restored);
} else {
  log('snapshots: this server has no snapshot REST routes; skipped');
}

await row.locator('[data-state="available"]').waitFor({ timeout: LONG });
// By keyboard: Enter opens the confirmation with the focus on Cancel, Escape closes it and nothing is deleted.
await row.getByRole('button', { name: 'Delete' }).focus();
await tenant.keyboard.press('Enter');
const confirm = tenant.getByRole('alertdialog', { name: 'Delete' });
await confirm.waitFor();
assert.equal(await tenant.evaluate(() => document.activeElement?.textContent), 'Cancel');
await tenant.keyboard.press('Escape');
await confirm.waitFor({ state: 'detached' });
await row.locator('[data-state="available"]').waitFor();
await row.getByRole('button', { name: 'Delete' }).click();
await tenant.getByRole('alertdialog', { name: 'Delete' }).getByRole('button', { name: 'Yes, delete' }).click();
await tenant.waitForFunction((id) => {
  const r = document.querySelector(`tr[data-volume="${id}"] [data-state]`);
  return !r || r.getAttribute('data-state') === 'deleting' || r.getAttribute('data-state') === 'deleted';
}, volumeId, { timeout: LONG });

// 2. Instance page: tags, an inbound rule, and a resize while stopped.
log('instance settings');
await go(tenant, '/instances/' + vm, 'pages-vm (' + vm + ')');
const tags = tenant.getByRole('form', { name: 'Tags' });
await tags.getByRole('button', { name: 'Add tag' }).click();
await tags.getByRole('textbox', { name: /^Key \d+$/ }).last().fill('env');
await tags.getByRole('textbox', { name: /^Value \d+$/ }).last().fill('e2e');
await tags.getByRole('button', { name: 'Save tags' }).click();
await tags.getByRole('button', { name: 'Save tags' }).and(tenant.locator(':disabled')).waitFor();
assert.equal((await inPage(tenant, 'GET', `/instances/${vm}/tags`)).json.env, 'e2e');
const groups = tenant.getByRole('region', { name: 'Security groups' });
const addRule = groups.getByRole('form', { name: 'Add a rule to default' });
await addRule.getByLabel('Port or range').fill('8080');
await addRule.getByLabel('Source CIDR').fill('198.51.100.0/24');
await addRule.getByRole('button', { name: 'Add rule' }).click();
await groups.getByRole('cell', { name: '198.51.100.0/24' }).waitFor();
await addRule.getByLabel('Source CIDR').fill('not-a-cidr');
await addRule.getByRole('button', { name: 'Add rule' }).click();
assert.match(await addRule.getByRole('alert').textContent(), /InvalidParameterValue|InvalidPermission/);
await inPage(tenant, 'POST', `/instances/${vm}/stop`, { force: true });
await tenant.locator('.title-row [data-state="stopped"]').waitFor({ timeout: LONG });
const resize = tenant.getByRole('form', { name: 'Resize' });
await resize.getByLabel('New type').selectOption(BIGGER_TYPE);
await resize.getByRole('button', { name: 'Resize' }).click();
await resize.locator('p').getByText(BIGGER_TYPE + ' ·').waitFor();
await tenant.screenshot({ path: join(SHOTS, 'instance-settings.png'), fullPage: true });
// Started again for the operator's migration dialog below (only a running instance can be migrated); it boots meanwhile.
assert.equal((await inPage(tenant, 'POST', `/instances/${vm}/start`, {})).status, 200);

// The account's security groups: create one, add a rule, a duplicate name refused with EC2's code, delete it.
log('security groups');
await go(tenant, '/security-groups', 'Security groups');
const newGroup = tenant.getByRole('form', { name: 'Create a security group' });
await newGroup.getByLabel('Group name').fill('pages-web');
await newGroup.getByLabel('Description').fill('web servers');
await newGroup.getByRole('button', { name: 'Create group' }).click();
const web = tenant.getByRole('region', { name: 'Security group pages-web' });
await web.getByRole('form', { name: 'Add a rule to pages-web' }).getByLabel('Port or range').fill('443');
await web.getByRole('form', { name: 'Add a rule to pages-web' }).getByRole('button', { name: 'Add rule' }).click();
await web.getByRole('cell', { name: '443' }).waitFor();
await newGroup.getByLabel('Group name').fill('pages-web');
await newGroup.getByLabel('Description').fill('again');
await newGroup.getByRole('button', { name: 'Create group' }).click();
await tenant.getByRole('alert').filter({ hasText: 'InvalidGroup.Duplicate' }).waitFor();
await tenant.screenshot({ path: join(SHOTS, 'security-groups.png'), fullPage: true });
await web.getByRole('button', { name: 'Delete group' }).click();
await tenant.getByRole('alertdialog', { name: 'Delete group' }).getByRole('button', { name: 'Yes, delete group' }).click();
await web.waitFor({ state: 'detached' });

// 3. Billing: the draft with its total and forecast, the chart, the invoice's lines and CSV, a budget and its bad-URL error.
log('billing');
await go(tenant, '/billing', 'Usage and invoices');
await tenant.getByTestId('draft-total').waitFor();
assert.match(await tenant.getByTestId('draft-total').textContent(), /^\d+\.\d\d [A-Z]{3}$/);
await tenant.getByRole('img', { name: /Cost per day/ }).waitFor();
const bars = await tenant.locator('figure.chart g[data-day]').count();
assert.ok(bars >= 1, 'one bar per day of the month so far');
const budget = tenant.getByRole('form', { name: 'Set the budget' });
await budget.getByLabel('Amount per month').fill('100');
await budget.getByLabel('Webhook URL (optional)').fill('ftp://example.com/hook');
await budget.getByRole('button', { name: 'Save budget' }).click();
const budgetError = await tenant.getByRole('region', { name: 'Budget' }).getByRole('alert').textContent();
assert.match(budgetError, /InvalidParameterValue/, budgetError);
assert.match(budgetError, /http/i, budgetError);
log('bad webhook said', budgetError);
await budget.getByLabel('Webhook URL (optional)').fill('');
await budget.getByRole('button', { name: 'Save budget' }).click();
await tenant.getByTestId('budget-current').getByText(/^Budget 100\.00 [A-Z]{3};/).waitFor();
await tenant.screenshot({ path: join(SHOTS, 'billing.png'), fullPage: true });
await tenant.getByRole('table', { name: 'Invoices' }).getByRole('link').first().click();
await tenant.getByRole('heading', { name: /^Invoice \d{4}-\d{2}$/ }).waitFor();
await tenant.getByRole('table', { name: 'Invoice lines' }).getByText(vm).first().waitFor({ timeout: LONG });
const [csv] = await Promise.all([tenant.waitForEvent('download'), tenant.getByRole('link', { name: 'CSV' }).click()]);
const csvFile = join(WORK, 'invoice.csv');
await csv.saveAs(csvFile);
assert.ok(readFileSync(csvFile, 'utf8').includes(vm), 'the CSV has the VM\'s line');
await go(tenant, '/', 'Dashboard');
await tenant.getByTestId('dashboard-cost').waitFor();

// 4. The partner: a new customer, its usage page, a markup; another account is NotFound.
log('partner');
const partner = await session(PARTNER);
await partner.getByRole('link', { name: 'Customers' }).click();
await partner.getByRole('heading', { name: 'Customers' }).waitFor();
await partner.getByLabel('Customer name').fill('acme-' + Date.now());
await partner.getByRole('button', { name: 'Create customer' }).click();
await partner.getByLabel('New customer\'s key').waitFor();
const customerRow = partner.locator('tr[data-account]').first();
await customerRow.waitFor();
await partner.screenshot({ path: join(SHOTS, 'partner-customers.png'), fullPage: true });
await customerRow.getByRole('link', { name: 'Usage' }).click();
await partner.getByRole('region', { name: 'Cost per day' }).waitFor();
await partner.getByRole('link', { name: 'Price book' }).click();
await partner.getByLabel('Markup (%)').fill('20');
await partner.getByRole('button', { name: 'Set markup' }).click();
await partner.getByTestId('markup').getByText('20%').waitFor();
assert.equal((await inPage(partner, 'GET', '/accounts/' + TENANT_ACCOUNT)).json.code, 'InvalidAccountID.NotFound');
const theirs = (await inPage(partner, 'GET', '/partner/customers')).json;
assert.ok(theirs.every((a) => a.accountId !== TENANT_ACCOUNT), 'a partner lists only its own customers');
await go(partner, '/partner/customers/' + TENANT_ACCOUNT, 'No such customer');

// 5. The operator: a price and a quota changed in the browser, the overview, every instance.
log('operator');
const admin = await session(ADMIN, undefined, true);
await go(admin, '/admin/prices', 'Instance types and prices');
const priceForm = admin.getByRole('form', { name: 'Price of ' + TYPE });
await priceForm.getByLabel(/New price/).fill('0.0042');
await priceForm.getByRole('button', { name: 'Save' }).click();
await admin.locator(`tr[data-type="${TYPE}"]`).getByText('$0.0042/h').waitFor();
await admin.screenshot({ path: join(SHOTS, 'operator-prices.png'), fullPage: true });
await go(admin, '/admin/accounts', 'Accounts');
const acct = admin.locator(`tr[data-account="${TENANT_ACCOUNT}"]`);
await acct.getByRole('button', { name: 'Quotas' }).click();
const quotas = admin.getByRole('form', { name: 'Quotas of ' + TENANT_ACCOUNT });
await quotas.getByLabel(/^instances/).fill('7');
await quotas.getByRole('button', { name: 'Save quotas' }).click();
await quotas.getByText(/limit 7\b/).waitFor();
await quotas.getByLabel(/^instances/).fill('-1');
await quotas.getByRole('button', { name: 'Save quotas' }).click();
assert.match(await quotas.getByRole('alert').textContent(), /InvalidParameterValue/);
await admin.screenshot({ path: join(SHOTS, 'operator-accounts.png'), fullPage: true });
await go(admin, '/admin', 'At a glance');
await admin.getByTestId('revenue').waitFor();
await admin.screenshot({ path: join(SHOTS, 'operator-overview.png'), fullPage: true });
await go(admin, '/admin/instances', 'All instances');
await admin.locator(`tr[data-instance="${vm}"]`).waitFor();

// Live migration from the All instances page. The dialog offers every host but the VM's own and the
// scheduler's choice; with one host the scheduler says there is no other, and a migration to the VM's
// own host or to a host that does not exist is refused with the API's code. Nothing moves.
log('migrate dialog');
const hostList = (await inPage(admin, 'GET', '/hosts')).json;
// The operator reads another account's instance through the operator's list (GET /instances/{id} is the caller's account's).
const asOperator = async () => (await inPage(admin, 'GET', '/operator/instances')).json.instances.find((i) => i.instanceId === vm);
await until(async () => (await asOperator()).state.name === 'running', vm + ' runs again');
const source = (await asOperator()).hostId;
const vmRow = admin.locator(`tr[data-instance="${vm}"]`);
await vmRow.getByRole('button', { name: 'Migrate' }).click();
const migrate = admin.getByRole('dialog', { name: 'Migrate ' + vm });
const destination = migrate.getByLabel('Destination host');
const offered = await destination.locator('option').allTextContents();
assert.equal(offered.length, hostList.length - 1 + 2, 'the other hosts, the scheduler and a typed host: ' + offered);
assert.ok(offered.includes('Let the scheduler choose'));
assert.ok(!offered.some((o) => o.startsWith(hostList.find((h) => h.hostId === source).name + ' (')), 'the VM\'s own host is not offered');
async function refused(code) {
  await migrate.getByRole('button', { name: 'Migrate', exact: true }).click();
  await migrate.getByRole('group', { name: 'Confirm the migration' }).getByRole('button', { name: 'Yes, migrate' }).click();
  // The previous refusal's alert stays until this one replaces it: wait for this one's text.
  const alert = migrate.getByRole('alert').filter({ hasText: new RegExp(code.source.replace(/^\^/, '')) });
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, code);
  return text;
}
if (hostList.length === 1) {
  log('scheduler said', await refused(/^InsufficientInstanceCapacity: No other host can take/));
}
await destination.selectOption({ label: 'Another host, by ID or name…' });
await migrate.getByLabel('Host ID or name').fill(source);
log('own host said', await refused(/^InvalidParameterValue: /));
await migrate.getByLabel('Host ID or name').fill('no-such-host');
log('unknown host said', await refused(/^InvalidHostID\.NotFound: /));
await admin.screenshot({ path: join(SHOTS, 'operator-migrate.png') });
await migrate.getByRole('button', { name: 'Cancel' }).click();
await migrate.waitFor({ state: 'detached' });
assert.equal((await asOperator()).hostId, source);
assert.equal((await inPage(admin, 'GET', `/instances/${vm}/migration`)).json.code, 'InvalidInstanceID.NotFound');

// Images: the operator uploads one, publishes it (the tenant may then launch it), shares it with the
// tenant's account, makes it private again and unshares it; a malformed account is refused with EC2's code.
log('image publish and share');
const disk = join(WORK, 'shared.qcow2');
execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
await go(admin, '/images', 'Images');
const importForm = admin.getByRole('form', { name: 'Import an image' });
await importForm.getByLabel('Name').fill('pages-shared');
await importForm.getByLabel('or file').setInputFiles(disk);
await importForm.getByRole('button', { name: 'Upload' }).click();
const imageRow = admin.locator('tr', { hasText: 'pages-shared' }).first();
await imageRow.locator('[data-state="available"]').waitFor({ timeout: LONG });
const sharedId = await imageRow.getAttribute('data-image');
const tenantSees = async () => (await inPage(tenant, 'GET', '/images')).json.some((i) => i.imageId === sharedId);
assert.equal(await tenantSees(), false, 'a new image is private');
await imageRow.getByRole('button', { name: 'Publish / share' }).click();
const sharing = admin.getByRole('region', { name: 'Sharing of pages-shared' });
await sharing.getByRole('button', { name: 'Publish', exact: true }).click();
await admin.getByRole('alertdialog', { name: 'Publish' }).getByRole('button', { name: 'Yes, publish' }).click();
await sharing.getByText('Public: every account may launch it.').waitFor();
await imageRow.getByRole('cell', { name: 'public', exact: true }).waitFor();
assert.equal(await tenantSees(), true, 'the tenant sees the published image');
await sharing.getByLabel('Share with account').fill('not-an-account');
await sharing.getByRole('button', { name: 'Share', exact: true }).click();
assert.match(await sharing.getByRole('alert').textContent(), /^InvalidAMIAttributeItemValue: /);
await sharing.getByLabel('Share with account').fill(TENANT_ACCOUNT);
await sharing.getByRole('button', { name: 'Share', exact: true }).click();
await sharing.getByRole('button', { name: 'Stop sharing with ' + TENANT_ACCOUNT }).waitFor();
await admin.screenshot({ path: join(SHOTS, 'image-sharing.png'), fullPage: true });
await sharing.getByRole('button', { name: 'Make private', exact: true }).click();
await admin.getByRole('alertdialog', { name: 'Make private' }).getByRole('button', { name: 'Yes, make private' }).click();
await sharing.getByText(/^Private: /).waitFor();
assert.equal(await tenantSees(), true, 'shared with the tenant, a private image stays visible to it');
await sharing.getByRole('button', { name: 'Stop sharing with ' + TENANT_ACCOUNT }).click();
await sharing.getByText('Not shared with any account.').waitFor();
assert.equal(await tenantSees(), false, 'unshared and private, the tenant no longer sees it');
await inPage(admin, 'DELETE', '/images/' + sharedId);

// 6. Phone width: no page scrolls sideways; axe-core finds no WCAG 2 A/AA violation.
log('phone width and accessibility');
const phone = await session(TENANT, { width: 390, height: 844 }, true);
const pages = [['/', 'Dashboard'], ['/instances', 'Instances'], ['/instances/' + vm, 'pages-vm (' + vm + ')'], ['/volumes', 'Volumes'],
  ['/billing', 'Usage and invoices'], ['/security-groups', 'Security groups'], ['/key-pairs', 'Key pairs'], ['/access-keys', 'Access keys'], ['/images', 'Images']];
const problems = [];
for (const [path, heading] of pages) {
  await go(phone, path, heading);
  await phone.waitForFunction(() => !document.querySelector('[aria-busy="true"]')); // every list has loaded
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) problems.push(`${path} scrolls sideways by ${overflow}px at 390px`);
  for (const v of await axe(phone)) problems.push(`${path}: ${v}`);
}
await go(phone, '/billing', 'Usage and invoices');
await phone.getByRole('img', { name: /Cost per day/ }).waitFor();
await phone.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
await phone.screenshot({ path: join(SHOTS, 'phone-billing.png'), fullPage: true });
for (const [path, heading] of [['/admin', 'At a glance'], ['/admin/hosts', 'Hosts'], ['/admin/accounts', 'Accounts'], ['/admin/prices', 'Instance types and prices']]) {
  await go(admin, path, heading);
  await admin.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  for (const v of await axe(admin)) problems.push(`${path} (operator): ${v}`);
}
// Keyboard: Tab reaches the skip link first, then the navigation, with a visible focus ring.
await go(phone, '/', 'Dashboard');
await phone.keyboard.press('Tab');
assert.equal(await phone.evaluate(() => document.activeElement?.textContent), 'Skip to content');
await phone.keyboard.press('Tab');
const ring = await phone.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
assert.notEqual(ring, 'none', 'the focused link shows an outline');
assert.deepEqual(problems, [], problems.join('\n'));

// Figures, not assertions (docs/benchmarks.md): first loads from a cold browser cache on loopback.
const loads = [];
for (let i = 0; i < 10; i++) {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const t0 = Date.now();
  await p.goto(URL0 + '/ui/');
  await p.getByRole('button', { name: 'Sign in' }).waitFor();
  const wall = Date.now() - t0;
  const nav = await p.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
  const js = await p.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js')).reduce((s, r) => s + r.transferSize, 0));
  loads.push({ wall, interactive: Math.round(nav.domInteractive), js });
  await ctx.close();
}
const sorted = (k) => loads.map((l) => l[k]).sort((a, b) => a - b);
log('MEASURE first load, cold cache: until the sign-in form shows (ms)', sorted('wall'), 'domInteractive (ms)', sorted('interactive'),
  'JavaScript transferred (bytes)', loads[0].js);

await inPage(tenant, 'POST', `/instances/${vm}/terminate`, {});
} catch (e) {
  await dump();
  throw e;
}
await browser.close();
log('portal pages e2e: all passed');
