// Fleet cost in the real UI, with the demo fleet's cost inputs and service records: a year's table with
// fleet totals; the old vans whose maintenance is over 40 % of their cost are flagged for replacement;
// sorting works; editing a van's insurance changes its total.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, requireTool, wsCall } from '../helpers';

describe.runIf(requireTool('chromium'))('fleet cost in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let page: Page;

  beforeAll(async () => {
    app = await openApp(['--demo', '--demo-vehicles', '14']);
    page = app.page;
  });

  afterAll(() => app?.close());

  it('shows a year of costs, flags replacement candidates, sorts, and takes new inputs', async () => {
    await page.keyboard.press('Alt+8');
    await page.getByRole('combobox', { name: 'Period' }).selectOption('365');
    const table = page.getByRole('table', { name: 'Fleet cost' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(14);
    // every seventh demo van is old and costly to keep running: VH-004 and VH-011
    await expect.poll(() => table.locator('tbody tr.replace').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-vehicle')).sort())).toEqual(['VH-004', 'VH-011']);
    expect(await page.locator('.fleet-totals').textContent()).toMatch(/^Fleet: [\d,]+ for [\d,]+ km = [\d.—]+ per km/);

    // sort by vehicle, ascending
    await table.getByRole('columnheader', { name: /Vehicle/ }).click();
    await table.getByRole('columnheader', { name: /Vehicle/ }).click();
    expect(await table.locator('tbody tr').first().getAttribute('data-vehicle')).toBe('VH-001');

    // raise VH-001's insurance by 12,000 a year: its total for the year goes up by about that
    const row = table.locator('tr[data-vehicle="VH-001"]');
    const before = Number((await row.locator('td').nth(2).textContent())!.replace(/,/g, ''));
    await row.click();
    const form = page.getByRole('form', { name: 'Cost inputs of VH-001' });
    const insurance = form.getByRole('textbox', { name: 'Insurance per year' });
    const old = Number(await insurance.inputValue());
    await insurance.fill(String(old + 12_000));
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => Number((await row.locator('td').nth(2).textContent())!.replace(/,/g, '')) - before, { timeout: 5000 }).toBeGreaterThan(11_900);
    await page.screenshot({ path: 'test-results/e2e-costs.png' });
  });

  it('says how much of the period telemetry covers and gives no cost per km over part of it; amounts in the chosen currency', async () => {
    // the demo has reported for minutes of this year: a year's lease over minutes of km is no cost per km
    const note = page.getByTestId('coverage-note');
    await expect.poll(() => note.textContent()).toMatch(/^Telemetry covers 0\.\d % of this period \((\d+ h )?\d+ min of 365 days\)/);
    expect(await page.locator('.fleet-totals b').nth(1).textContent()).toBe('—');
    const table = page.getByRole('table', { name: 'Fleet cost' });
    expect(await table.locator('tbody tr td:nth-child(4)').allTextContents()).toEqual(Array(14).fill('partial data'));
    await page.getByRole('combobox', { name: 'Currency' }).selectOption('GBP');
    await expect.poll(() => page.locator('.fleet-totals').textContent()).toContain('(GBP)');
    const { currency } = (await wsCall(app.url, 'getFleetCost', {})) as { currency: string };
    expect(currency).toBe('GBP');
  });
});
