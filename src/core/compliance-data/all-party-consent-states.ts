/**
 * US states where recording a telephone call needs the consent of every party, each with the
 * statute (and, where the question is debated, the case law) it rests on. A region is a USPS
 * two-letter code, as `leads.region` and the callee location use.
 *
 * Where the law is unsettled the table takes the stricter reading (`isDebated`): playing a
 * notice costs a few seconds, recording an all-party state's resident without one is a crime
 * there. This is a reading of public sources, not legal advice.
 */
export interface AllPartyConsentState {
  readonly region: string;
  readonly name: string;
  readonly source: string;
  /** Courts or statutes disagree; treated as all-party on purpose (see `source`). */
  readonly isDebated: boolean;
}

export const ALL_PARTY_CONSENT_STATES: readonly AllPartyConsentState[] = [
  { region: 'CA', name: 'California', source: 'Cal. Penal Code § 632 (confidential communications); § 632.7 (cellular and cordless calls)', isDebated: false },
  {
    region: 'CT',
    name: 'Connecticut',
    source: 'Conn. Gen. Stat. § 52-570d (civil: a telephone call is recorded only with every party’s consent, given in writing, on the recording, or after a warning)',
    isDebated: false,
  },
  {
    region: 'DE',
    name: 'Delaware',
    source:
      '11 Del. C. § 1335(a)(4) forbids intercepting a private communication without the consent of all parties, while 11 Del. C. § 2402(c)(4) allows one party’s consent; ' +
      'United States v. Vespe, 389 F. Supp. 1359 (D. Del. 1975) read them as one-party, but no Delaware appellate court has settled it, so the stricter statute is followed',
    isDebated: true,
  },
  { region: 'FL', name: 'Florida', source: 'Fla. Stat. § 934.03(2)(d)', isDebated: false },
  { region: 'IL', name: 'Illinois', source: '720 ILCS 5/14-2(a) (as amended by Public Act 98-1142, 2014: private conversations need the consent of all parties)', isDebated: false },
  { region: 'MD', name: 'Maryland', source: 'Md. Code, Cts. & Jud. Proc. § 10-402(c)(3)', isDebated: false },
  { region: 'MA', name: 'Massachusetts', source: 'Mass. Gen. Laws c. 272 § 99', isDebated: false },
  {
    region: 'MI',
    name: 'Michigan',
    source:
      'Mich. Comp. Laws §§ 750.539a, 750.539c (eavesdropping “without the consent of all parties”); Sullivan v. Gray, 117 Mich. App. 476 (1982) lets a participant record, ' +
      'but a federal court read the statute as all-party (AFT Michigan v. Project Veritas, E.D. Mich. 2020) and the Michigan Supreme Court has not decided, so all-party is followed',
    isDebated: true,
  },
  { region: 'MT', name: 'Montana', source: 'Mont. Code Ann. § 45-8-213(1)(c)', isDebated: false },
  {
    region: 'NV',
    name: 'Nevada',
    source: 'Nev. Rev. Stat. § 200.620, read by Lane v. Allstate Ins. Co., 114 Nev. 1176 (1998) to require the consent of all parties to record a telephone call',
    isDebated: true,
  },
  { region: 'NH', name: 'New Hampshire', source: 'N.H. Rev. Stat. § 570-A:2', isDebated: false },
  { region: 'PA', name: 'Pennsylvania', source: '18 Pa. C.S. § 5703, § 5704(4) (all parties must consent)', isDebated: false },
  { region: 'WA', name: 'Washington', source: 'Rev. Code Wash. § 9.73.030(1)(a)', isDebated: false },
];

/**
 * States often listed beside the table whose rule for telephone calls is one-party, with why.
 * Kept as data so the decision is visible, and so a test holds them out of the table.
 */
export const ONE_PARTY_FOR_TELEPHONE: readonly { readonly region: string; readonly name: string; readonly source: string }[] = [
  {
    region: 'OR',
    name: 'Oregon',
    source:
      'Or. Rev. Stat. § 165.540(1)(a) lets a participant record a telecommunication; the all-participants-informed rule of § 165.540(1)(c) covers in-person conversations, not telephone calls',
  },
];

const BY_REGION: ReadonlyMap<string, AllPartyConsentState> = new Map(ALL_PARTY_CONSENT_STATES.map((state) => [state.region, state]));

/** The all-party-consent state of a region code (case-insensitive), or undefined. */
export function findAllPartyConsentState(region: string): AllPartyConsentState | undefined {
  return BY_REGION.get(region.trim().toUpperCase());
}
