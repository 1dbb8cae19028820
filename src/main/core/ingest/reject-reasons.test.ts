import { describe, expect, it } from 'vitest';
import { groupRejects, rejectReason } from './reject-reasons';
import { validateTelemetry } from '../telemetry/validate';
import { telemetry } from '../../../../test/helpers';

const reasonOf = (o: Record<string, unknown>) => {
  const r = validateTelemetry(JSON.stringify(telemetry(o)), 'T-001');
  return r.ok ? 'ok' : r.reason;
};

describe('reject reasons', () => {
  it('groups the validator’s messages by code, whatever value each names (a time with colons included)', () => {
    const rows = [
      { reason: reasonOf({ timestamp: '2026-11-02T02:00:00' }), count: 3 },
      { reason: reasonOf({ timestamp: '2026-11-03T09:30:00' }), count: 2 },
      { reason: reasonOf({ timestamp: '2026-02-31T09:30:00Z' }), count: 1 },
      { reason: reasonOf({ lat: 123 }), count: 4 },
      { reason: 'malformed JSON: Unexpected token } in JSON at position 7', count: 1 },
    ];
    expect(groupRejects(rows)).toEqual([
      { code: 'bad_timestamp', reason: 'Time not ISO-8601 with a zone (or not a real date)', count: 6, example: rows[0]!.reason },
      { code: 'bad_position', reason: 'Latitude/longitude missing or out of range', count: 4, example: rows[3]!.reason },
      { code: 'malformed_json', reason: 'Malformed JSON', count: 1, example: rows[4]!.reason },
    ]);
  });

  it('names each kind the validator and the listeners give', () => {
    expect(rejectReason(reasonOf({ timestamp: 1_700_000_000 })).code).toBe('epoch_seconds');
    expect(rejectReason(reasonOf({ vehicle_id: 'OTHER' })).code).toBe('vehicle_mismatch');
    expect(rejectReason('topic "x/y" is not fleet/<vehicle_id>/telemetry').code).toBe('bad_topic');
    expect(rejectReason('refused: wrong key for VAN-1').code).toBe('device_refused');
    expect(rejectReason('OsmAnd request without id or deviceid').code).toBe('osmand_no_id');
    expect(rejectReason('something new').code).toBe('other');
  });
});
