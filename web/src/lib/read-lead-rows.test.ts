import { describe, expect, it } from 'vitest';
import { parseCsv } from './parse-csv.js';
import { readLeadRows } from './read-lead-rows.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF lines', () => {
    expect(parseCsv('\uFEFFname,notes\r\n"Lee, Ann","said ""hi""\nthen left"\r\nBo,\r\n')).toEqual([
      ['name', 'notes'],
      ['Lee, Ann', 'said "hi"\nthen left'],
      ['Bo', ''],
    ]);
  });

  it('reads a semicolon export', () => {
    expect(parseCsv('name;phone\nAnn;+14155550100')).toEqual([
      ['name', 'phone'],
      ['Ann', '+14155550100'],
    ]);
  });
});

describe('readLeadRows', () => {
  it('keeps the good rows and reports each bad row by its row number', () => {
    const csv = [
      'Name,Phone Number,Company,Email',
      'Ann Lee,(415) 555-0100,Acme,ann@example.com',
      ',+14155550101,,',
      'Bo,12345,,',
      'Cy,+44 20 7946 0958,,',
      'Di,+14155550100,,',
      'Ed,+14155550102,,not-an-email',
      ',,,',
    ].join('\n');
    const reading = readLeadRows(csv);
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.leads).toEqual([
      { name: 'Ann Lee', phone: '+14155550100', company: 'Acme', email: 'ann@example.com', notes: null },
      { name: 'Cy', phone: '+442079460958', company: null, email: null, notes: null },
    ]);
    expect(reading.problems.map((p) => p.row)).toEqual([3, 4, 6, 7]);
    expect(reading.problems[0]?.message).toMatch(/name is missing/);
    expect(reading.problems[1]?.message).toMatch(/not a valid phone number/);
    expect(reading.problems[2]?.message).toMatch(/already on row 2/);
  });

  it('joins first and last names', () => {
    const reading = readLeadRows('first_name,last_name,mobile\nAnn,Lee,+14155550100');
    expect(reading.ok && reading.leads[0]?.name).toBe('Ann Lee');
  });

  it('refuses a file without name and phone columns, saying what it found', () => {
    const reading = readLeadRows('who,where\nAnn,here');
    expect(reading).toEqual({ ok: false, message: expect.stringContaining('found: who, where') as string });
  });
});
