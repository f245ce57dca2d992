import { describe, expect, it } from 'vitest';
import { readDoNotCallFile, type DoNotCallFile } from './do-not-call-file.js';
import { decodeText } from './read-csv.js';

const decode = (text: string) => decodeText(new TextEncoder().encode(text));

function read(text: string, country: 'US' | 'DE' = 'US'): DoNotCallFile {
  const result = readDoNotCallFile(decode(text), country);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const numbersOf = (file: DoNotCallFile) => file.numbers.map((entry) => [entry.rowNumber, entry.e164]);
const refusalsOf = (file: DoNotCallFile) => file.refusals.map((refusal) => [refusal.rowNumber, refusal.input]);

describe('the National Do Not Call Registry format', () => {
  it('reads area code and number in two comma-separated fields, CRLF, no header', () => {
    const file = read('201,5550123\r\n212,5550199\r\n');
    expect(file.format).toBe('registry');
    expect(numbersOf(file)).toEqual([[1, '+12015550123'], [2, '+12125550199']]);
    expect(file.refusals).toEqual([]);
  });

  it('reads ten digits per line; blank lines keep their numbers', () => {
    const file = read('2015550123\n\n4155550142\n');
    expect(file.format).toBe('registry');
    expect(numbersOf(file)).toEqual([[1, '+12015550123'], [3, '+14155550142']]);
  });

  it('refuses a line that is not a record, or not a US number, with its row; a header line is skipped', () => {
    const file = read('AreaCode,PhoneNumber\n201,5550123\n201,555012\n201,0550123\n123,5550123\n201,5550124\n');
    expect(file.format).toBe('registry');
    expect(numbersOf(file)).toEqual([[2, '+12015550123'], [6, '+12015550124']]);
    expect(file.refusals).toEqual([
      { rowNumber: 3, input: '201,555012', message: '"201,555012" is not a registry record: an area code and a 7-digit number (201,5550123), or 10 digits.' },
      { rowNumber: 4, input: '201,0550123', message: '"201,0550123" is not a US number: its area code and its exchange (the next 3 digits) each start with 2–9.' },
      { rowNumber: 5, input: '123,5550123', message: '"123,5550123" is not a US number: its area code and its exchange (the next 3 digits) each start with 2–9.' },
    ]);
  });

  it('a German national number of ten digits is not taken for a registry record', () => {
    const file = read('0301234567\n0301234568\n', 'DE');
    expect(file.format).toBe('table');
    expect(numbersOf(file)).toEqual([[1, '+49301234567'], [2, '+49301234568']]);
  });
});

describe('a CSV or text file of numbers', () => {
  it('reads the column whose header names a phone, in any column, in the workspace country', () => {
    const file = read('Name;Telefon;Notiz\nMüller;030 1234567;x\nSchmidt;;y\nKaputt;12;z\n', 'DE');
    expect(file).toMatchObject({ format: 'table', columns: ['Telefon'] });
    expect(numbersOf(file)).toEqual([[2, '+49301234567']]);
    expect(file.refusals).toEqual([
      { rowNumber: 3, input: '', message: 'No number in "Telefon" on this row.' },
      { rowNumber: 4, input: '12', message: expect.stringContaining('"12" is not a valid phone number') },
    ]);
  });

  it('reads every column a header names as a phone (phone and mobile); an empty cell beside a number is no error', () => {
    const file = read('Name,Phone,Mobile\nAda,(415) 555-0142,\nBob,,+1 415 555 0143\nCy,415-555-0144,415-555-0145\n');
    expect(file.columns).toEqual(['Phone', 'Mobile']);
    expect(numbersOf(file)).toEqual([[2, '+14155550142'], [3, '+14155550143'], [4, '+14155550144'], [4, '+14155550145']]);
    expect(file.refusals).toEqual([]);
  });

  it('without a phone header, finds the column whose cells read as numbers', () => {
    const file = read('Who,Contact,When\nAda,+44 20 7946 0958,Monday\nBob,(415) 555-0142,Tuesday\n');
    expect(file.columns).toEqual(['Contact']);
    expect(numbersOf(file)).toEqual([[2, '+442079460958'], [3, '+14155550142']]);
  });

  it('a list without a header (numbers in any written form, one a line) reads its first line as a number', () => {
    const file = read('\n(415) 555-0142\n+1 415-555-0143 ext. 9\nnot a number\n415.555.0144\n');
    expect(file).toMatchObject({ format: 'table', columns: [] });
    expect(numbersOf(file)).toEqual([[2, '+14155550142'], [3, '+14155550143'], [5, '+14155550144']]);
    expect(refusalsOf(file)).toEqual([[4, 'not a number']]);
  });

  it('refuses an empty file and a table with no column of numbers (invalid_file)', () => {
    expect(readDoNotCallFile(decode('\n \n'), 'US')).toMatchObject({ ok: false, error: { code: 'invalid_file' } });
    expect(readDoNotCallFile(decode('Name,Notes\nAda,hello\n'), 'US')).toMatchObject({
      ok: false,
      error: { code: 'invalid_file', message: 'No column of the file holds phone numbers: put one number on each line, or name the column Phone.' },
    });
  });

  it('a long cell is shortened in the refusal', () => {
    const file = read(`Phone\n${'x'.repeat(300)}\n`);
    expect(file.refusals[0]?.input).toHaveLength(100);
  });
});

describe('plainly written US numbers', () => {
  it('are read by their shape in a US workspace (or with +1), everything else by the phone library', () => {
    const file = read('Phone\n(303) 555-0123\n303.555.0124\n+1 303 555 0125\n1-303-555-0126\n3035550127\n(303) 155-0128\n+44 20 7946 0958\n');
    expect(numbersOf(file)).toEqual([
      [2, '+13035550123'],
      [3, '+13035550124'],
      [4, '+13035550125'],
      [5, '+13035550126'],
      [6, '+13035550127'],
      [8, '+442079460958'],
    ]);
    expect(refusalsOf(file)).toEqual([[7, '(303) 155-0128']]);
    // In Germany, digits without + are a German number.
    expect(numbersOf(read('Telefon\n030 1234567\n+1 303 555 0123\n', 'DE'))).toEqual([[2, '+49301234567'], [3, '+13035550123']]);
  });
});
