// US area codes (and their overlays) whose territory lies in more than one time zone. A phone
// geodata library names one zone for most numbers of such an area (and often only one for an
// overlay's numbers), so the calling-hours check adds every zone listed here: a call is allowed
// only when the window is open in all of them.
//
// Zone boundaries: 49 CFR Part 71 (71.5 Eastern/Central, 71.7 Central/Mountain, 71.9
// Mountain/Pacific, 71.11 Alaska, 71.12 Hawaii-Aleutian). The area each code serves: NANPA's
// area code maps and planning letters (nationalnanpa.com); an overlay serves the same area as the
// code it overlays. Cross-checked against libphonenumber's own per-prefix time zone data, which
// names both zones for some prefixes of each of these codes except where marked "overlay" or
// "not in libphonenumber".
//
// Left out on purpose: 915 (El Paso and Hudspeth counties, both Mountain under 49 CFR 71.7 since
// West Texas moved to 432 in 2003), and places that keep another zone's time only unofficially
// (Phenix City AL, Kenton OK, Jackpot NV) — their official zone is the area's main one.

export interface MultiZoneAreaCode {
  /** The three-digit NANP area code. */
  readonly areaCode: string;
  /** The USPS code of the state the area code serves. */
  readonly region: string;
  /** Every IANA zone a number of this area code may be in. */
  readonly zones: readonly string[];
  /** Where the zones meet inside the area, for people reading a refusal. */
  readonly where: string;
  readonly source: string;
}

const EASTERN_CENTRAL = '49 CFR 71.5 (Eastern/Central boundary)';
const CENTRAL_MOUNTAIN = '49 CFR 71.7 (Central/Mountain boundary)';
const MOUNTAIN_PACIFIC = '49 CFR 71.9 (Mountain/Pacific boundary)';
const NANPA = 'NANPA area code map';

export const MULTI_ZONE_AREA_CODES: readonly MultiZoneAreaCode[] = [
  // Florida panhandle: Central west of the Apalachicola River, Eastern around Tallahassee.
  { areaCode: '850', region: 'FL', zones: ['America/New_York', 'America/Chicago'], where: 'Florida panhandle west of the Apalachicola River is Central', source: `${EASTERN_CENTRAL} Florida; ${NANPA} NPA 850` },
  { areaCode: '448', region: 'FL', zones: ['America/New_York', 'America/Chicago'], where: 'overlay of 850', source: `${EASTERN_CENTRAL} Florida; ${NANPA} NPA 448 (overlay of 850)` },
  // Indiana: the northwest (Lake, Porter, LaPorte, Newton, Jasper, Starke) and the southwest
  // (Evansville area, Perry County) are Central; the rest Eastern.
  { areaCode: '219', region: 'IN', zones: ['America/Chicago', 'America/New_York'], where: 'northwest Indiana is Central, its eastern edge Eastern', source: `${EASTERN_CENTRAL}(b) Indiana-Illinois; ${NANPA} NPA 219` },
  { areaCode: '574', region: 'IN', zones: ['America/New_York', 'America/Chicago'], where: 'Starke County is Central, South Bend and Elkhart Eastern', source: `${EASTERN_CENTRAL}(b) Indiana-Illinois; ${NANPA} NPA 574` },
  { areaCode: '812', region: 'IN', zones: ['America/New_York', 'America/Chicago'], where: 'Evansville area and Perry County are Central', source: `${EASTERN_CENTRAL}(b) Indiana-Illinois; ${NANPA} NPA 812` },
  { areaCode: '930', region: 'IN', zones: ['America/New_York', 'America/Chicago'], where: 'overlay of 812', source: `${EASTERN_CENTRAL}(b) Indiana-Illinois; ${NANPA} NPA 930 (overlay of 812)` },
  // Kentucky: the west is Central; Hardin, LaRue and the Louisville side are Eastern.
  { areaCode: '270', region: 'KY', zones: ['America/Chicago', 'America/New_York'], where: 'western Kentucky is Central, Hardin and LaRue counties Eastern', source: `${EASTERN_CENTRAL} Kentucky; ${NANPA} NPA 270` },
  { areaCode: '364', region: 'KY', zones: ['America/Chicago', 'America/New_York'], where: 'overlay of 270', source: `${EASTERN_CENTRAL} Kentucky; ${NANPA} NPA 364 (overlay of 270)` },
  { areaCode: '606', region: 'KY', zones: ['America/New_York', 'America/Chicago'], where: 'eastern Kentucky is Eastern, Clinton County Central', source: `${EASTERN_CENTRAL} Kentucky; ${NANPA} NPA 606` },
  // Tennessee: East Tennessee is Eastern, except Marion, Sequatchie and Bledsoe counties (423,
  // Central); Middle Tennessee is Central, except Cumberland County (931, Eastern).
  { areaCode: '423', region: 'TN', zones: ['America/New_York', 'America/Chicago'], where: 'Marion, Sequatchie and Bledsoe counties are Central', source: `${EASTERN_CENTRAL} Tennessee; ${NANPA} NPA 423` },
  { areaCode: '931', region: 'TN', zones: ['America/Chicago', 'America/New_York'], where: 'Cumberland County is Eastern (not in libphonenumber)', source: `${EASTERN_CENTRAL} Tennessee; ${NANPA} NPA 931` },
  // Michigan's Upper Peninsula: Gogebic, Iron, Dickinson and Menominee counties are Central.
  { areaCode: '906', region: 'MI', zones: ['America/New_York', 'America/Chicago'], where: 'Gogebic, Iron, Dickinson and Menominee counties are Central', source: `${EASTERN_CENTRAL}(a) Minnesota-Michigan-Wisconsin; ${NANPA} NPA 906` },
  // Central/Mountain.
  { areaCode: '308', region: 'NE', zones: ['America/Chicago', 'America/Denver'], where: 'the Nebraska panhandle is Mountain', source: `${CENTRAL_MOUNTAIN} Nebraska; ${NANPA} NPA 308` },
  { areaCode: '620', region: 'KS', zones: ['America/Chicago', 'America/Denver'], where: 'Hamilton and Greeley counties are Mountain', source: `${CENTRAL_MOUNTAIN} Kansas; ${NANPA} NPA 620` },
  { areaCode: '785', region: 'KS', zones: ['America/Chicago', 'America/Denver'], where: 'Sherman and Wallace counties are Mountain', source: `${CENTRAL_MOUNTAIN} Kansas; ${NANPA} NPA 785` },
  { areaCode: '701', region: 'ND', zones: ['America/Chicago', 'America/Denver'], where: 'southwest North Dakota is Mountain', source: `${CENTRAL_MOUNTAIN}(a) Montana-North Dakota; ${NANPA} NPA 701` },
  { areaCode: '605', region: 'SD', zones: ['America/Chicago', 'America/Denver'], where: 'South Dakota west of the Missouri River is mostly Mountain', source: `${CENTRAL_MOUNTAIN}(b) South Dakota; ${NANPA} NPA 605` },
  { areaCode: '432', region: 'TX', zones: ['America/Chicago', 'America/Denver'], where: 'northwest Culberson County (Guadalupe Mountains) keeps Mountain time (not in libphonenumber)', source: `${CENTRAL_MOUNTAIN} Texas; ${NANPA} NPA 432` },
  // Mountain/Pacific.
  { areaCode: '208', region: 'ID', zones: ['America/Boise', 'America/Los_Angeles'], where: 'Idaho north of the Salmon River is Pacific', source: `${MOUNTAIN_PACIFIC} Idaho; ${NANPA} NPA 208` },
  { areaCode: '986', region: 'ID', zones: ['America/Boise', 'America/Los_Angeles'], where: 'overlay of 208', source: `${MOUNTAIN_PACIFIC} Idaho; ${NANPA} NPA 986 (overlay of 208)` },
  { areaCode: '541', region: 'OR', zones: ['America/Los_Angeles', 'America/Boise'], where: 'most of Malheur County is Mountain', source: `${MOUNTAIN_PACIFIC} Oregon; ${NANPA} NPA 541` },
  { areaCode: '458', region: 'OR', zones: ['America/Los_Angeles', 'America/Boise'], where: 'overlay of 541', source: `${MOUNTAIN_PACIFIC} Oregon; ${NANPA} NPA 458 (overlay of 541)` },
  { areaCode: '775', region: 'NV', zones: ['America/Los_Angeles', 'America/Denver'], where: 'West Wendover is Mountain', source: `${MOUNTAIN_PACIFIC} Nevada (West Wendover, 1999); ${NANPA} NPA 775` },
  // Arizona keeps standard time all year, the Navajo Nation observes daylight saving time.
  { areaCode: '928', region: 'AZ', zones: ['America/Phoenix', 'America/Denver'], where: 'the Navajo Nation observes daylight saving time', source: `49 CFR 71.8 (Mountain zone); 15 U.S.C. 260a (State exemption from daylight saving time); ${NANPA} NPA 928` },
  // Alaska: the Aleutians west of 169°30′ W are Hawaii-Aleutian.
  { areaCode: '907', region: 'AK', zones: ['America/Anchorage', 'America/Adak'], where: 'the Aleutian Islands west of 169°30′ W are Hawaii-Aleutian', source: `49 CFR 71.11 (Alaska zone), 71.12 (Hawaii-Aleutian zone); ${NANPA} NPA 907` },
];

const BY_AREA_CODE = new Map(MULTI_ZONE_AREA_CODES.map((entry) => [entry.areaCode, entry]));

/** The entry for a three-digit NANP area code, if its area spans several zones. */
export function findMultiZoneAreaCode(areaCode: string): MultiZoneAreaCode | undefined {
  return BY_AREA_CODE.get(areaCode);
}
