/**
 * Debian's Chromium driven by playwright-core, for the browser tests. Never downloads a browser:
 * the binary is /usr/bin/chromium, or CHROMIUM_PATH.
 *
 * A missing Chromium is an error, not a skip — CI installs it, and a silently skipped browser test
 * would hide a broken install. KOPPEL_SKIP_BROWSER=1 skips the browser tests on purpose.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The first launch of a cold Chromium can take a while on a loaded CI machine. */
const LAUNCH_TIMEOUT_MS = 20_000;

/** Screenshots go to test-results/ (gitignored) at the repository root. */
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/** A reason to skip the browser tests, only when asked for explicitly. */
export function browserSkipReason(): string | undefined {
  return process.env.KOPPEL_SKIP_BROWSER === '1' ? 'KOPPEL_SKIP_BROWSER=1 is set' : undefined;
}

export interface LaunchedChromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * `block` is what the storefront must survive (Safari, Firefox, Chrome with the setting on).
   * `allow` exists to prove that the cookie probe would notice a stored third-party cookie.
   */
  thirdPartyCookies: 'block' | 'allow';
}

/**
 * Launches headless Chromium with a fresh profile.
 *
 * Third-party cookies are switched by the profile preference `profile.cookie_controls_mode`
 * (0 = allow, 1 = block third-party cookies), written before the launch. A persistent profile is
 * used because Playwright's `browser.newContext()` is an incognito context, whose cookie rules are
 * Chromium's incognito defaults rather than something the test chose. The command-line switch
 * `--test-third-party-cookie-phaseout` still exists in Chromium 156 but does not block anything
 * there (a cross-site iframe still stores cookies with it when the preference allows them), so it
 * is not relied on.
 */
export async function launchChromium(options: LaunchOptions): Promise<LaunchedChromium> {
  const executablePath = chromiumPath();
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not available at ${executablePath}. Install Debian's chromium (apt-get install chromium) ` +
        'or set CHROMIUM_PATH to a Chromium binary; set KOPPEL_SKIP_BROWSER=1 to skip the browser tests on purpose.',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'koppel-chromium-'));
  mkdirSync(join(profile, 'Default'));
  writeFileSync(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: options.thirdPartyCookies === 'block' ? 1 : 0 } }),
  );
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      // We run as root in CI containers, where Chromium's sandbox cannot start.
      args: ['--no-sandbox'],
      timeout: LAUNCH_TIMEOUT_MS,
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium at ${executablePath} did not start: ${(e as Error).message}`, { cause: e });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot in test-results/<folder>/<name>.png, for whoever debugs a failure. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = join(RESULTS_DIR, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs `fn`; when it throws, saves `<name>-FAILED.png` of the page as it is at that moment first. */
export async function screenshotOnFailure<T>(page: Page, folder: string, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const path = await screenshot(page, folder, `${name}-FAILED`).catch(() => undefined);
    if (path && e instanceof Error) e.message += `\n(screenshot of the page at the failure: ${path})`;
    throw e;
  }
}

/**
 * Tries to store a cookie from inside `frame` the way a page script would, as a cookie that is
 * allowed in a third-party context when third-party cookies are (SameSite=None; Secure — Chromium
 * accepts Secure cookies on http://localhost and 127.0.0.1). Returns what the frame can read back.
 */
export async function trySetCookie(frame: Frame, name: string): Promise<string> {
  // A string expression: the test tsconfig has no DOM types.
  const read = await frame.evaluate(`(() => { document.cookie = ${JSON.stringify(`${name}=1; SameSite=None; Secure; Path=/`)}; return document.cookie; })()`);
  return String(read);
}

/** Adds an iframe showing `url` to the page and returns its frame once loaded. */
export async function addIframe(page: Page, name: string, url: string): Promise<Frame> {
  await page.evaluate(`new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.name = ${JSON.stringify(name)};
    f.onload = () => resolve(true);
    f.src = ${JSON.stringify(url)};
    document.body.append(f);
  })`);
  const frame = page.frame({ name });
  if (!frame) throw new Error(`the iframe ${name} did not appear`);
  return frame;
}

/** Removes an iframe added by addIframe. */
export async function removeIframe(page: Page, name: string): Promise<void> {
  await page.evaluate(`document.querySelector('iframe[name=' + ${JSON.stringify(JSON.stringify(name))} + ']')?.remove()`);
}
