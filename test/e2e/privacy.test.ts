// Driver privacy in the real UI: a dispatcher puts a driver in privacy mode; the van disappears from
// the live map (listed as "private"), its history is hidden; a supervisor sets a password, unlocks with
// a reason, sees the history; the audit log and "data we collect" say what happened and what is kept.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, requireTool } from '../helpers';
import { buildReportDb } from '../report-fixture';

describe.runIf(requireTool('chromium'))('privacy mode in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let page: Page;

  beforeAll(async () => {
    const db = buildReportDb();
    db.store.close();
    app = await openApp(['--db', db.file], { timezoneId: 'UTC' });
    page = app.page;
  });

  afterAll(() => app?.close());


  async function showHistory(vehicle: string) {
    await page.keyboard.press('Alt+9');
    const form = page.getByRole('form', { name: 'History query' });
    await form.locator('input[name="vehicles"]').fill(vehicle);
    await form.locator('input[name="from"]').fill('2026-11-02T07:30');
    await form.locator('input[name="to"]').fill('2026-11-02T11:00');
    await form.getByRole('button', { name: 'Show history' }).click();
    return page.locator(`.history-vehicle[data-vehicle="${vehicle}"]`);
  }

  it('hides a driver in privacy mode until a supervisor unlocks with a reason', async () => {
    const van2 = page.locator('li[data-vehicle-id="VAN-2"]');
    await van2.waitFor();
    expect(await van2.textContent()).toContain('72 km/h');

    await page.keyboard.press('Alt+0');
    const privacy = page.getByRole('region', { name: 'Privacy' });
    const ruleForm = privacy.getByRole('form', { name: 'New privacy rule' });
    await ruleForm.getByRole('textbox', { name: 'Driver or vehicle id' }).fill('DRV-BEN');
    await ruleForm.getByRole('checkbox', { name: /on a schedule/ }).uncheck();
    await ruleForm.getByRole('button', { name: 'Add privacy rule' }).click();
    await expect.poll(() => privacy.locator('.privacy-rules li').first().textContent()).toContain('driver DRV-BEN always');
    // the live list says private, the detail has no position
    await expect.poll(() => van2.textContent()).toContain('private');
    await van2.click();
    expect(await page.getByTestId('vehicle-detail').textContent()).toContain('hidden: privacy mode');

    let result = await showHistory('VAN-2');
    await expect.poll(() => result.locator('.privacy-note').first().textContent()).toContain('60 points in 1 stretch hidden by privacy mode');
    expect(await result.locator('h3').textContent()).toContain('0 trips');

    // supervisor: set a password, then unlock with a reason
    await page.keyboard.press('Alt+0');
    const spForm = privacy.getByRole('form', { name: 'Supervisor password' });
    await spForm.getByLabel('Password').fill('depot supervisor 7');
    await spForm.getByLabel('Repeat').fill('depot supervisor 8');
    await privacy.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => privacy.locator('.error').textContent()).toBe('The two new passwords differ: type the same password twice.');
    await spForm.getByLabel('Repeat').fill('depot supervisor 7');
    await privacy.getByRole('button', { name: 'Set password' }).click();
    const unlockForm = privacy.getByRole('form', { name: 'Unlock private positions' });
    await unlockForm.getByLabel('Password').fill('wrong one');
    await unlockForm.getByLabel('Reason').fill('speeding complaint 881');
    await unlockForm.getByRole('button', { name: /Unlock for 15 min/ }).click();
    await expect.poll(() => privacy.locator('.error').textContent()).toBe('Wrong supervisor password.');
    await unlockForm.getByLabel('Password').fill('depot supervisor 7');
    await unlockForm.getByRole('button', { name: /Unlock for 15 min/ }).click();
    await expect.poll(() => privacy.getByTestId('unlocked').count()).toBe(1);

    result = await showHistory('VAN-2');
    await expect.poll(() => result.locator('.privacy-note.unlocked').count()).toBe(1);
    expect(await result.locator('h3').textContent()).toContain('1 trips');

    // the audit log has the refusal, the unlock and the looks: the history, and the replay cursor's readout
    // (which now reads the telemetry at the cursor from the start); "data we collect" lists fields and times
    await page.keyboard.press('Alt+0');
    const audit = page.getByRole('region', { name: 'Audit log' });
    const looks = audit.locator('li[data-action="privacy_access"]');
    await expect.poll(async () => (await looks.allTextContents()).map((t) => /(history|replay cursor): speeding complaint 881/.exec(t)?.[1]).sort()).toEqual(['history', 'replay cursor']);
    expect(await audit.locator('li[data-action="privacy_unlock_refused"]').count()).toBe(1);
    const data = page.getByRole('region', { name: 'Data we collect' });
    expect(await data.textContent()).toContain('every point for 90 days, then one point per vehicle per 1 minute');
    expect(await data.textContent()).toContain('driver id');
    await page.screenshot({ path: 'test-results/e2e-privacy.png' });

    // removing the rule is the supervisor's: a wrong password leaves it in place
    await page.getByRole('button', { name: 'Delete…' }).click();
    const remove = privacy.getByRole('form', { name: 'Remove privacy rule' });
    await remove.getByLabel('Supervisor password to remove').fill('not it');
    await remove.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => privacy.locator('.error').textContent()).toBe('Wrong supervisor password.');
    expect(await privacy.locator('.privacy-rules li[data-rule]').count()).toBe(1);
    await remove.getByLabel('Supervisor password to remove').fill('depot supervisor 7');
    await remove.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => privacy.locator('.privacy-rules li[data-rule]').count()).toBe(0);
  });
});
