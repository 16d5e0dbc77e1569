/**
 * UN/CEFACT Recommendation 20 unit codes that a webshop's catalog commonly uses, with
 * English names. Buyers map codes differently (PCE vs EA vs C62), so the code written into a
 * cart goes through a per-connection unit map; this table only says which codes are known.
 */
export const UNIT_CODES: Readonly<Record<string, string>> = {
  C62: 'one',
  EA: 'each',
  PCE: 'piece',
  PR: 'pair',
  SET: 'set',
  PK: 'pack',
  BX: 'box',
  CT: 'carton',
  CS: 'case',
  DZN: 'dozen',
  RM: 'ream',
  RO: 'roll',
  BG: 'bag',
  BO: 'bottle',
  CA: 'can',
  TU: 'tube',
  PA: 'packet',
  KGM: 'kilogram',
  GRM: 'gram',
  LTR: 'litre',
  MLT: 'millilitre',
  MTR: 'metre',
  CMT: 'centimetre',
  MTK: 'square metre',
  HUR: 'hour',
  DAY: 'day',
  MON: 'month',
  ANN: 'year',
};

export function isKnownUnitCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(UNIT_CODES, code);
}

/** An OCI UNIT is CHAR 3; a cXML UnitOfMeasure is any text but buyers expect Rec 20 codes. */
export function looksLikeUnitCode(code: string): boolean {
  return /^[A-Z0-9]{1,3}$/.test(code);
}
