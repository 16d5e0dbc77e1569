/**
 * Browser tests of the whole chain: one Koppel serving the supplier (http://localhost:PORT) and
 * the buyer sandbox (http://127.0.0.1:PORT, a different site), the demo seeded after listen so the
 * demo cXML connection posts its documents to this sandbox, an admin account, the real outbox
 * worker polling fast, and Chromium with third-party cookies blocked.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { seedDemo } from '../../src/app/demo-seed.js';
import { createAdminUser } from '../../src/app/admin-users.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { startTestApp, type TestApp } from './app.js';
import { launchChromium, type LaunchedChromium } from './browser.js';

const STEP_TIMEOUT_MS = 15_000;

export interface Chain {
  readonly t: TestApp;
  readonly page: Page;
  readonly supplier: string;
  readonly sandbox: string;
  /** Uncaught errors of every page visited; a test asserts it stays empty. */
  readonly pageErrors: string[];
  /** Logs the page into the supplier's admin. */
  adminLogin(): Promise<void>;
  close(): Promise<void>;
}

export async function startChain(adminName: string): Promise<Chain> {
  const t = await startTestApp({ demo: false, listenHost: 'localhost', host: 'localhost', config: { secretKey: randomBytes(32).toString('base64') } });
  let browser: LaunchedChromium | undefined;
  let worker: OutboxWorker | undefined;
  try {
    await seedDemo(t.ctx);
    const admin = { username: adminName, password: `${adminName}-password-1` };
    await createAdminUser(t.ctx, { ...admin, role: 'admin' }, 'e2e');
    worker = new OutboxWorker(t.ctx, { settings: { pollMs: 100 } }).start();
    browser = await launchChromium({ thirdPartyCookies: 'block' });
    const page = browser.page;
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const supplier = t.baseUrl;
    const running = { worker, browser };
    return {
      t,
      page,
      supplier,
      sandbox: `http://127.0.0.1:${new URL(supplier).port}`,
      pageErrors,
      async adminLogin() {
        await page.goto(`${supplier}/admin/login`);
        await page.getByLabel('User name').fill(admin.username);
        await page.getByLabel('Password').fill(admin.password);
        await page.getByRole('button', { name: 'Log in' }).click();
      },
      async close() {
        await running.worker.stop();
        await running.browser.close();
        await t.close();
      },
    };
  } catch (e) {
    await worker?.stop();
    await browser?.close();
    await t.close();
    throw e;
  }
}

/**
 * On the admin's order page: opens one action form (a <details> titled by its h3), lets `fill`
 * complete it, sends it, and waits for the new document number (e.g. C-000001) to show.
 */
export async function sendOrderDocument(page: Page, title: string, fill: () => Promise<void>, button: string, numberPrefix: string): Promise<void> {
  const form = page.locator('details.order-action').filter({ has: page.getByRole('heading', { level: 3, name: title, exact: true }) });
  await form.locator('summary').click();
  await fill();
  await form.getByRole('button', { name: button }).click();
  await page.getByText(new RegExp(`${numberPrefix}-\\d+`)).first().waitFor();
}
