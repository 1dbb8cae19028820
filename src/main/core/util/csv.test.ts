import { describe, expect, it } from 'vitest';
import { csvField, hasControlChars, readCsv, readCsvRows, splitCsvLine } from './csv';

describe('CSV', () => {
  it('neutralises cells a spreadsheet would run as a formula, keeping them readable', () => {
    expect(csvField('=HYPERLINK("http://x","click")')).toBe(`"'=HYPERLINK(""http://x"",""click"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('VAN-1')).toBe('VAN-1');
    expect(csvField('a,b')).toBe('"a,b"');
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, after a byte-order mark', () => {
    const text = '\uFEFFvehicle_id,note\r\nVAN-1,"brakes, front"\r\nVAN-2,"said ""fine""\nthen broke"\n\n VAN-3 ,plain';
    expect(readCsvRows(text)).toEqual([
      { line: 1, cells: ['vehicle_id', 'note'] },
      { line: 2, cells: ['VAN-1', 'brakes, front'] },
      { line: 3, cells: ['VAN-2', 'said "fine"\nthen broke'] },
      { line: 6, cells: [' VAN-3 ', 'plain'] },
    ]);
    const csv = readCsv(text);
    expect(csv.column('NOTE')).toBe(1);
    expect(csv.column('cost')).toBe(-1);
    expect(() => readCsvRows('a,"b\nc')).toThrow('line 1: a quoted field is not closed');
    expect(splitCsvLine('1,"x,y",3')).toEqual(['1', 'x,y', '3']);
  });

  it('finds control characters', () => {
    expect(hasControlChars('VAN\u00001')).toBe(true);
    expect(hasControlChars('VAN\u001b[31m')).toBe(true);
    expect(hasControlChars('VAN-1')).toBe(false);
  });
});
