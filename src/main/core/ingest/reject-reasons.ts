// Why messages were refused, as codes a person can read in a table: each dead letter's reason text
// (written where it was refused, with the offending value) is mapped to one code and label, and the
// table keeps one real message of each as the example.

export interface RejectReason {
  code: string;
  label: string;
}

const RULES: [RegExp, RejectReason][] = [
  [/^refused: /, { code: 'device_refused', label: 'Device not allowed (no or wrong key)' }],
  [/^malformed JSON/, { code: 'malformed_json', label: 'Malformed JSON' }],
  [/^(empty payload|payload is not a JSON object)/, { code: 'not_an_object', label: 'Not a JSON object' }],
  [/^payload too large/, { code: 'too_large', label: 'Payload too large' }],
  [/^JSON nested deeper/, { code: 'too_deep', label: 'JSON nested too deep' }],
  [/^topic /, { code: 'bad_topic', label: 'Topic is not fleet/<id>/telemetry' }],
  [/^vehicle_id ".*" does not match topic/, { code: 'vehicle_mismatch', label: 'vehicle_id differs from the topic' }],
  [/^timestamp .*looks like epoch seconds/, { code: 'epoch_seconds', label: 'Time in epoch seconds, not ms' }],
  [/^timestamp .*(is before 2000|is after 2100)/, { code: 'time_out_of_range', label: 'Time out of range' }],
  [/^timestamp /, { code: 'bad_timestamp', label: 'Time not ISO-8601 with a zone (or not a real date)' }],
  [/^field (lat|lon)\b/, { code: 'bad_position', label: 'Latitude/longitude missing or out of range' }],
  [/^field vehicle_id\b/, { code: 'bad_vehicle_id', label: 'vehicle_id missing or not an id' }],
  [/^field timestamp\b/, { code: 'bad_timestamp', label: 'Time not ISO-8601 with a zone (or not a real date)' }],
  [/^field /, { code: 'bad_field', label: 'A field has the wrong type or range' }],
  [/^OsmAnd request without id/, { code: 'osmand_no_id', label: 'OsmAnd request without id' }],
  [/^OsmAnd (request without lat|JSON without location)/, { code: 'osmand_no_position', label: 'OsmAnd request without a position' }],
  [/^OsmAnd/, { code: 'osmand_malformed', label: 'OsmAnd request malformed' }],
];

const OTHER: RejectReason = { code: 'other', label: 'Other' };

export function rejectReason(reason: string): RejectReason {
  for (const [re, r] of RULES) if (re.test(reason)) return r;
  return OTHER;
}

/** Counts by code, most first, each with a real message of its kind. */
export function groupRejects(rows: Iterable<{ reason: string; count: number }>): { code: string; reason: string; count: number; example: string }[] {
  const by = new Map<string, { code: string; reason: string; count: number; example: string }>();
  for (const r of rows) {
    const k = rejectReason(r.reason);
    const g = by.get(k.code);
    if (g) g.count += r.count;
    else by.set(k.code, { code: k.code, reason: k.label, count: r.count, example: r.reason.slice(0, 300) });
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}
