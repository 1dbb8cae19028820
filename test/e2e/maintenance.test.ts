// Predictive maintenance in the real UI, with the demo fleet: its generated year of history trains a
// model at start; the Maintenance tab ranks the demo vehicles by risk with what pushes each up and
// shows the time-ordered validation; Retrain runs in a worker with progress; a breakdown record can
// be added and is listed.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, requireTool } from '../helpers';

describe.runIf(requireTool('chromium'))('maintenance in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let page: Page;
  const progress: { running: boolean; progress: number }[] = [];

  beforeAll(async () => {
    app = await openApp(['--demo', '--demo-vehicles', '30'], {}, (p) =>
      // progress events as the page receives them over its WebSocket
      p.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          const frame = JSON.parse(String(f.payload)) as { type: string; event?: string; payload?: { running: boolean; progress: number } };
          if (frame.event === 'maintenanceProgress') progress.push(frame.payload!);
        }),
      ),
    );
    page = app.page;
  });

  afterAll(() => app?.close());

  it('ranks the demo fleet by breakdown risk, shows validation, retrains with progress', async () => {
    await page.keyboard.press('Alt+7');
    const table = page.getByRole('table', { name: 'Breakdown risk' });
    // the start-up training runs in a worker; the ranking appears when it is done
    await expect
      .poll(
        async () => {
          if ((await table.count()) === 0) await page.keyboard.press('Alt+1').then(() => page.keyboard.press('Alt+7'));
          return table.locator('tbody tr').count();
        },
        { timeout: 30_000 },
      )
      .toBe(30);
    const risks = (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map((t) => parseFloat(t));
    expect([...risks].sort((a, b) => b - a)).toEqual(risks); // ranked, highest first
    expect(await table.locator('tbody tr').first().getAttribute('data-vehicle')).toMatch(/^VH-\d{3}$/);
    expect(await page.locator('.folds-table tbody tr').count()).toBe(5);
    // as many flagged as the workshop can check (5 a week unless told), with what that caught on validation
    expect(await table.locator('.sev.warning').count()).toBe(5);
    expect(await page.getByTestId('capacity-expected').textContent()).toMatch(/^Checking the 5 riskiest vehicles each week caught \d+(\.\d)? % of breakdowns on the validation weeks — about \d+\.\d of \d+\.\d a week; \d+(\.\d)? % of checks found one\./);
    const recall5 = parseFloat((await page.getByTestId('capacity-expected').textContent())!.split('caught ')[1]!);
    await page.getByLabel('Workshop checks a week').fill('12');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await expect.poll(() => table.locator('.sev.warning').count()).toBe(12);
    // the flags are the riskiest twelve, and checking more catches at least as many
    const flagged = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelector('.sev.warning') !== null));
    expect(flagged).toEqual(flagged.map((_, i) => i < 12));
    expect(parseFloat((await page.getByTestId('capacity-expected').textContent())!.split('caught ')[1]!)).toBeGreaterThanOrEqual(recall5);

    progress.length = 0;
    await page.getByRole('button', { name: 'Retrain' }).click();
    // wait for this run's end in the event stream: the message still shows the start-up run's
    // "trained on …" until the page hears of the new run
    await expect.poll(() => progress.some((p) => !p.running), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => page.locator('.training-message').textContent(), { timeout: 30_000 }).toMatch(/trained on \d+ vehicle-weeks \(\d+ breakdowns\); mean AUC 0\.\d{3}/);
    // the page saw the training run: progress rising while running, then done
    const during = progress.filter((p) => p.running).map((p) => p.progress);
    expect(during.length).toBeGreaterThan(1);
    expect(during[during.length - 1]!).toBeGreaterThan(during[0]!);
    expect(progress[progress.length - 1]).toMatchObject({ running: false, progress: 1 });

    const form = page.getByRole('form', { name: 'New maintenance record' });
    await form.getByLabel('Vehicle').fill('VH-003');
    await form.getByLabel('Kind').selectOption('breakdown');
    await form.getByLabel('Odometer km').fill('12345');
    await form.getByLabel('Note').fill('alternator');
    await form.getByRole('button', { name: 'Add record' }).click();
    await expect.poll(() => page.locator('.records-list li').first().textContent()).toContain('VH-003 breakdown 12345 km');
    await form.getByLabel('Odometer km').fill('-5');
    await form.getByRole('button', { name: 'Add record' }).click();
    await expect.poll(() => page.locator('.maintenance-panel .error').textContent()).toContain('odometer must be a number ≥ 0');
    await page.screenshot({ path: 'test-results/e2e-maintenance.png' });
  });
});
