import { readRegion, readTimeZone } from './callee-place.js';
import { fail, ok, type Result } from './errors.js';
import { EXTENSION_PATTERN, normalizePhoneNumber, type CountryCode } from './phone-number.js';

/** The lead fields a file's columns can be mapped to (the preview's choices). */
export const IMPORT_FIELDS = ['name', 'firstName', 'lastName', 'phone', 'mobile', 'extension', 'company', 'email', 'notes', 'timeZone', 'region'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Which header feeds each field: a label from the preview's `headers`. */
export type ImportMapping = Partial<Record<ImportField, string>>;

/** What a row of a duplicate number does: nothing (`skip`), or it updates the lead (`update`). */
export const DUPLICATE_ACTIONS = ['skip', 'update'] as const;
export type DuplicateAction = (typeof DUPLICATE_ACTIONS)[number];

/** How many rows one transaction imports; progress is written after each. */
export const IMPORT_BATCH_ROWS = 1000;

/** The largest name a lead takes (the database checks the same). */
export const MAX_NAME_LENGTH = 200;

/** Words as headers are compared: lower case, accents dropped, punctuation and `_` as one space. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\(\d+\)$|\*|\(required\)/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Headers as normalizeHeader leaves them, most specific first. English (Salesforce, HubSpot,
// Pipedrive, Outlook, Google Contacts), German, French, Spanish, Dutch, Portuguese, Italian.
const HEADER_WORDS: Readonly<Record<ImportField, readonly string[]>> = {
  name: [
    'full name', 'fullname', 'contact name', 'contact', 'lead name', 'lead', 'person', 'display name',
    'vollstandiger name', 'kontaktname', 'kontakt', 'ansprechpartner', 'nom complet', 'nom et prenom', 'nombre completo',
    'nombre y apellidos', 'contacto', 'naam', 'volledige naam', 'contactpersoon', 'nome completo', 'contato', 'nominativo', 'contatto',
  ],
  firstName: ['first name', 'firstname', 'first', 'given name', 'forename', 'vorname', 'prenom', 'nombre de pila', 'voornaam', 'primeiro nome'],
  lastName: [
    'last name', 'lastname', 'last', 'surname', 'family name', 'nachname', 'familienname', 'nom de famille', 'apellido', 'apellidos',
    'achternaam', 'sobrenome', 'apelido', 'ultimo nome', 'cognome',
  ],
  phone: [
    'phone', 'phone number', 'telephone', 'telephone number', 'tel', 'tel nr', 'business phone', 'work phone', 'office phone',
    'primary phone', 'phone 1', 'direct phone', 'direct dial', 'number', 'telefon', 'telefonnummer', 'rufnummer', 'festnetz',
    'telefon geschaftlich', 'numero de telephone', 'telephone fixe', 'telefono', 'numero de telefono', 'telefoon', 'telefoonnummer',
    'telefone', 'numero de telefone', 'numero di telefono',
  ],
  mobile: [
    'mobile', 'mobile phone', 'mobile phone number', 'mobile number', 'cell', 'cell phone', 'cellphone', 'mobil', 'mobiltelefon',
    'mobilnummer', 'mobilfunk', 'handy', 'handynummer', 'portable', 'telephone portable', 'tel portable', 'numero de portable', 'movil',
    'telefono movil', 'celular', 'mobiel', 'mobiel nummer', 'mobiele telefoon', 'gsm', 'telemovel', 'telefone celular', 'cellulare',
    'telefono cellulare',
  ],
  extension: ['extension', 'ext', 'phone extension', 'durchwahl', 'nebenstelle', 'poste', 'extension telephonique', 'interno', 'toestel', 'ramal'],
  company: [
    'company', 'company name', 'account name', 'account', 'organization', 'organisation', 'organization name', 'business name',
    'employer', 'firma', 'firmenname', 'unternehmen', 'betrieb', 'entreprise', 'societe', 'nom de l entreprise', 'empresa',
    'compania', 'nombre de la empresa', 'organizacion', 'bedrijf', 'bedrijfsnaam', 'organisatie', 'companhia', 'organizacao',
    'azienda', 'societa', 'ditta', 'organizzazione',
  ],
  email: [
    'email', 'e mail', 'email address', 'e mail address', 'mail', 'e mail adresse', 'email adresse', 'emailadresse', 'courriel',
    'adresse e mail', 'adresse email', 'adresse electronique', 'correo', 'correo electronico', 'e mailadres', 'emailadres',
    'correio eletronico', 'posta elettronica', 'indirizzo email',
  ],
  notes: [
    'notes', 'note', 'description', 'comments', 'comment', 'remarks', 'details', 'notizen', 'notiz', 'beschreibung', 'bemerkung',
    'bemerkungen', 'kommentar', 'kommentare', 'anmerkungen', 'remarques', 'commentaire', 'commentaires', 'observations', 'notas',
    'nota', 'comentarios', 'descripcion', 'observaciones', 'notities', 'opmerkingen', 'beschrijving', 'omschrijving',
    'observacoes', 'descricao', 'commenti', 'descrizione', 'osservazioni',
  ],
  // Where the callee is (the dial gate checks the lead's own zone and state as well as the number's).
  timeZone: [
    'time zone', 'timezone', 'tz', 'time zone name', 'local time zone', 'zeitzone', 'fuseau horaire', 'zona horaria', 'huso horario',
    'tijdzone', 'tijd zone', 'fuso horario', 'fuso orario',
  ],
  // "Region" alone is often a sales territory, and "Estado", "État" or "Stato" alone a status
  // (or, in Italian, a country), so only words that name a state are suggested.
  region: [
    'state', 'state region', 'state province', 'province state', 'state code', 'us state', 'mailing state', 'mailing state province',
    'billing state', 'billing state province', 'business state', 'home state', 'other state', 'bundesstaat', 'bundesland region',
    'us bundesstaat', 'etat region', 'etat province', 'estado region', 'estado provincia', 'staat regio', 'staat provincie',
    'estado regiao', 'stato regione', 'stato provincia',
  ],
};

// "Name" on its own: a full name, a surname beside a first-name column (German "Vorname; Name"),
// or a first name beside a surname column (Italian "Nome; Cognome", Spanish "Nombre; Apellidos").
const NAME_ON_ITS_OWN = ['name', 'nom', 'nombre', 'nome'];

/**
 * The mapping the preview suggests from a file's headers: each field gets the header that names
 * it best (in English or another common language), and no header feeds two fields.
 */
export function suggestMapping(headers: readonly string[]): ImportMapping {
  const words = headers.map(normalizeHeader);
  const used = new Set<number>();
  const mapping: ImportMapping = {};
  const take = (field: ImportField, candidates: readonly string[]) => {
    for (const candidate of candidates) {
      const at = words.findIndex((word, index) => word === candidate && !used.has(index));
      const header = headers[at];
      if (at >= 0 && header !== undefined) {
        used.add(at);
        mapping[field] = header;
        return;
      }
    }
  };
  for (const field of IMPORT_FIELDS) take(field, HEADER_WORDS[field]);
  const field: ImportField = mapping.firstName !== undefined && mapping.lastName === undefined
    ? 'lastName'
    : mapping.lastName !== undefined && mapping.firstName === undefined ? 'firstName' : 'name';
  if (mapping[field] === undefined) take(field, NAME_ON_ITS_OWN);
  return mapping;
}

/** Whether a header names a phone or mobile number, in the words suggestMapping knows. */
export function isPhoneHeader(header: string): boolean {
  const word = normalizeHeader(header);
  return HEADER_WORDS.phone.includes(word) || HEADER_WORDS.mobile.includes(word);
}

/**
 * A mapping checked against the file's headers: each value one of them, no header twice, a
 * phone (or mobile) column, and a column a name can come from.
 */
export function validateMapping(mapping: ImportMapping, headers: readonly string[]): Result<ImportMapping> {
  const seen = new Map<string, ImportField>();
  for (const field of IMPORT_FIELDS) {
    const header = mapping[field];
    if (header === undefined) continue;
    if (!headers.includes(header)) {
      return fail('invalid_request', `mapping.${field}: the file has no column "${header}" (its columns: ${headers.map((h) => `"${h}"`).join(', ')}).`);
    }
    const earlier = seen.get(header);
    if (earlier) return fail('invalid_request', `mapping.${field}: the column "${header}" is already mapped to ${earlier}; map each column once.`);
    seen.set(header, field);
  }
  if (mapping.phone === undefined && mapping.mobile === undefined) return fail('invalid_request', 'mapping: choose the column with the phone number (phone, or mobile).');
  if (mapping.name === undefined && mapping.firstName === undefined && mapping.lastName === undefined && mapping.company === undefined) {
    return fail('invalid_request', 'mapping: choose the column with the name (name, or first and last name, or at least company).');
  }
  return ok(mapping);
}

/** A lead read from a row, ready to insert. */
export interface ImportedLead {
  readonly name: string;
  readonly phone: string;
  readonly extension: string | null;
  readonly company: string | null;
  readonly email: string | null;
  readonly notes: string | null;
  /** The callee's own time zone (IANA), when the file says. */
  readonly timeZone: string | null;
  /** The callee's US state or territory (USPS code), when the file says. */
  readonly region: string | null;
}

/** Why a row was refused: the field at fault and one sentence. */
export interface RowRefusal {
  readonly field: ImportField;
  readonly reason: string;
}

export type RowReading = { readonly ok: true; readonly lead: ImportedLead } | { readonly ok: false; readonly refusal: RowRefusal };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Which cell of a row each mapped field is in. */
export type ColumnIndexes = Partial<Record<ImportField, number>>;

export function columnIndexes(mapping: ImportMapping, headers: readonly string[]): ColumnIndexes {
  const indexes: ColumnIndexes = {};
  for (const field of IMPORT_FIELDS) {
    const header = mapping[field];
    if (header !== undefined && headers.includes(header)) indexes[field] = headers.indexOf(header);
  }
  return indexes;
}

const refuse = (field: ImportField, reason: string): RowReading => ({ ok: false, refusal: { field, reason } });

/**
 * One row as a lead, or the one reason it is refused. The name is the name column, else first
 * and last name, else the company. The phone column is read in `country` unless it starts with
 * `+` or an international prefix; an empty phone falls back to the mobile column; an extension
 * in the number (`ext. 89`, `x89`, `Durchwahl 89`) or in an extension column is kept apart. A
 * time zone is read by readTimeZone (`America/Chicago`, `CST`, `Central`), a region by readRegion
 * (`TX`, `Texas`); an empty cell leaves them unknown.
 */
export function readLeadRow(cells: readonly string[], columns: ColumnIndexes, country: CountryCode): RowReading {
  const cell = (field: ImportField) => {
    const at = columns[field];
    return at === undefined ? '' : (cells[at] ?? '').trim();
  };
  const name = cell('name') || [cell('firstName'), cell('lastName')].filter((part) => part !== '').join(' ') || cell('company');
  if (name === '') return refuse('name', 'empty (no name, first or last name, or company).');
  if (name.length > MAX_NAME_LENGTH) return refuse('name', `${name.length} characters, more than the ${MAX_NAME_LENGTH} a name may have.`);

  const phoneField: ImportField = cell('phone') === '' && columns.mobile !== undefined ? 'mobile' : 'phone';
  const phoneText = cell(phoneField);
  if (phoneText === '') return refuse('phone', columns.mobile === undefined || columns.phone === undefined ? 'empty.' : 'empty, and so is mobile.');
  const phone = normalizePhoneNumber(phoneText, country, { canHaveExtension: true });
  if (!phone.ok) return refuse(phoneField, phone.error.message);

  const extensionText = cell('extension').replace(/^(?:ext\.?|x|#)\s*/i, '');
  let extension = phone.value.extension ?? null;
  if (extensionText !== '') {
    if (!EXTENSION_PATTERN.test(extensionText)) return refuse('extension', `"${extensionText}" is not an extension: use digits only, at most 10.`);
    if (extension !== null && extension !== extensionText) {
      return refuse('extension', `"${extensionText}" differs from the extension in the number (${extension}): keep one.`);
    }
    extension = extensionText;
  }
  const email = cell('email');
  if (email !== '' && !EMAIL.test(email)) return refuse('email', `"${email}" is not an email address.`);
  const zoneText = cell('timeZone');
  const timeZone = zoneText === '' ? undefined : readTimeZone(zoneText);
  if (timeZone && !timeZone.ok) return refuse('timeZone', timeZone.error.message);
  const regionText = cell('region');
  const region = regionText === '' ? undefined : readRegion(regionText);
  if (region && !region.ok) return refuse('region', region.error.message);
  return accept({
    name,
    phone: phone.value.e164,
    extension,
    company: cell('company') || null,
    email: email || null,
    notes: cell('notes') || null,
    timeZone: timeZone?.ok ? timeZone.value : null,
    region: region?.ok ? region.value : null,
  });
}

const accept = (lead: ImportedLead): RowReading => ({ ok: true, lead });

/** A refused row in the one style every refusal is shown in: `Row 7: phone: "12" is not ...`. */
export function describeRowRefusal(rowNumber: number, field: string | null, reason: string): string {
  return `Row ${rowNumber}: ${field === null ? '' : `${field}: `}${reason}`;
}
