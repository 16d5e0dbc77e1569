/**
 * The sandbox's make-believe buying organisation: one municipality with one purchaser. Real
 * procurement systems send this data in every setup request and order; suppliers' mappings
 * (e-mail → customer, addressID → delivery address) are tested against it.
 */
import type { Address, Contact, Extrinsic } from '../protocol/cxml/model.js';

export const DEMO_USER = {
  name: 'Jan de Vries',
  email: 'jan.devries@voorbeeldstad.example',
  uniqueName: 'jdevries',
  costCenter: 'KP-4711',
} as const;

/** OrderRequestHeader/BillTo is required by the DTD. */
export const DEMO_BILL_TO: Address = {
  name: 'Gemeente Voorbeeldstad',
  isoCountryCode: 'NL',
  addressID: 'VBS-CREDITEUREN',
  postalAddress: {
    name: 'default',
    deliverTo: ['Crediteurenadministratie'],
    street: ['Postbus 1234'],
    city: 'Voorbeeldstad',
    postalCode: '1234 AB',
    country: 'Netherlands',
    countryCode: 'NL',
  },
  email: 'facturen@voorbeeldstad.example',
};

export const DEMO_SHIP_TO: Address = {
  name: 'Gemeente Voorbeeldstad',
  isoCountryCode: 'NL',
  addressID: 'VBS-MAGAZIJN',
  postalAddress: {
    name: 'default',
    deliverTo: [DEMO_USER.name, 'Magazijn Stadswerf'],
    street: ['Industrieweg 12'],
    city: 'Voorbeeldstad',
    postalCode: '1234 CD',
    country: 'Netherlands',
    countryCode: 'NL',
  },
};

export const DEMO_END_USER: Contact = {
  role: 'endUser',
  name: DEMO_USER.name,
  email: DEMO_USER.email,
};

/**
 * The end-user contact and extrinsics of a setup request for a sandbox person (Acting as); the
 * cost center falls back to the demo buyer's when the person has none.
 */
export function buyerUser(person: { id: string; name: string; email: string; costCenter: string | null }): { contact: Contact; extrinsics: Extrinsic[] } {
  return {
    contact: { role: 'endUser', name: person.name, email: person.email },
    extrinsics: [
      { name: 'UserEmail', value: person.email },
      { name: 'UniqueName', value: person.id },
      { name: 'CostCenter', value: person.costCenter ?? DEMO_USER.costCenter },
    ],
  };
}
