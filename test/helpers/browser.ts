import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Debian's chromium package; the tests drive it with playwright-core (no browser download). */
export const CHROMIUM = process.env.PYRO_CHROMIUM ?? '/usr/bin/chromium';

export interface DashboardView {
  /** Chart holders on the page. */
  charts: number;
  /** Text of every chart that shows an error instead of data. */
  errors: string[];
  /** The visible text of the charts. */
  text: string;
  /** Where the screenshot went. */
  screenshot: string;
}

/**
 * Logs in through Superset's login form, opens a dashboard, waits until every chart has rendered (no spinner,
 * each with content), and saves a full-page screenshot.
 */
export async function viewDashboard(base: string, dashboardPath: string, user: string, password: string, screenshot: string): Promise<DashboardView> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (or set PYRO_CHROMIUM)`);
  mkdirSync(path.dirname(screenshot), { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/login/`);
    await page.fill('input[name="username"], #username', user);
    await page.fill('input[name="password"], #password', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 }), page.keyboard.press('Enter')]);
    await page.goto(`${base}${dashboardPath}`);
    await page.waitForSelector('[data-test="chart-grid-component"]', { timeout: 90_000 });
    // Rendered: no loading spinner left, and every chart holder has content.
    await page.waitForFunction(
      () => {
        const holders = [...document.querySelectorAll('[data-test="chart-grid-component"]')];
        return (
          holders.length > 0 &&
          !document.querySelector('[data-test="chart-grid-component"] .loading, [aria-label="Loading"]') &&
          holders.every((h) => h.querySelector('canvas, table, .superset-legacy-chart-big-number, svg') !== null || /error/i.test(h.textContent ?? ''))
        );
      },
      undefined,
      { timeout: 90_000 },
    );
    // ECharts animates its series in (about a second): let it finish before the screenshot.
    await page.waitForTimeout(2000);
    const holders = page.locator('[data-test="chart-grid-component"]');
    const charts = await holders.count();
    const errors: string[] = [];
    for (let i = 0; i < charts; i++) {
      const h = holders.nth(i);
      if (await h.locator('[role="alert"], .alert-danger, [data-test="error-alert"]').count()) errors.push((await h.innerText()).trim());
    }
    const text = (await holders.allInnerTexts()).join('\n');
    await page.screenshot({ path: screenshot, fullPage: true });
    return { charts, errors, text, screenshot };
  } finally {
    await browser.close();
  }
}
