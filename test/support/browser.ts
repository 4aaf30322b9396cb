import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs; a developer's machine may not have it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether browser tests can run here. Without Chromium they are skipped with a loud warning on
 * a developer's machine, and fail on CI (`CI=true`), where a skipped browser test would hide a
 * missing install step.
 */
export function browserAvailability(): { available: boolean; reason?: string } {
  if (existsSync(CHROMIUM)) return { available: true };
  const reason = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') {
    throw new Error(`browser tests cannot run on CI: ${reason}`);
  }
  console.warn(`\n*** SKIPPED: browser tests, ${reason} ***\n`);
  return { available: false, reason };
}

/** Headless Chromium that reaches nothing but this machine. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
