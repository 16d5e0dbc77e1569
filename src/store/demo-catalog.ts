/**
 * The demo catalog: ~280 realistic office-supply products for a first start, the buyer sandbox
 * and tests. Deterministic for a seed (own PRNG, no Math.random), so two machines seeded alike
 * hold the same products, prices and stock.
 *
 * The data is deliberately awkward where real catalogs are: names longer than the 40 characters
 * of an OCI DESCRIPTION, descriptions with `&`, quotes and non-ASCII text, unit prices with four
 * decimals, articles that are out of stock, and several unit codes.
 *
 * Manufacturers and printer models are fictional. UNSPSC codes are real commodity codes.
 */
import { Decimal, dec } from '../protocol/money.js';

export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  manufacturer: string;
  manufacturerPartId: string;
  /** 8-digit UNSPSC commodity code. */
  unspsc: string;
  /** UN/CEFACT Rec 20 code from protocol/units.ts. */
  unit: string;
  /** Decimal text in EUR, 2–4 decimals. */
  price: string;
  currency: 'EUR';
  leadTimeDays: number;
  stock: number;
}

/** The seed used when none is given (the demo seed of a first start). */
export const DEFAULT_DEMO_SEED = 20240611;

export const DEMO_CATEGORIES = [
  'Writing instruments',
  'Paper & notebooks',
  'Filing & folders',
  'Desk accessories',
  'Computer accessories',
  'Printer supplies',
  'Mailing & packaging',
  'Cleaning & hygiene',
  'Breakroom & coffee',
  'Office furniture',
  'Safety & first aid',
  'Presentation boards',
] as const;

type Category = (typeof DEMO_CATEGORIES)[number];

/** A small, fast, well-distributed 32-bit PRNG (mulberry32); good enough for demo data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CategoryInfo {
  makers: readonly string[];
  /** A third sentence some descriptions get. */
  closings: readonly string[];
  stock: readonly [min: number, max: number];
  leadTime: readonly [min: number, max: number];
}

const CATEGORY_INFO: Record<Category, CategoryInfo> = {
  'Writing instruments': {
    makers: ['Scriptura', 'Penwright & Sons', 'Kalamos Schreibgeräte'],
    closings: ['Part of the "Everyday Office" range.', 'Packed in cardboard made from 80 % recycled fibre.', 'Made in the EU.'],
    stock: [40, 2400],
    leadTime: [1, 3],
  },
  'Paper & notebooks': {
    makers: ['Birchleaf Paper', 'Papeterie Lumière', 'Nordvik Mills'],
    closings: ['FSC®-certified pulp from responsibly managed forests.', 'Größe and grammage follow DIN EN ISO 216.', 'Acid-free & suitable for long-term archiving.'],
    stock: [60, 3000],
    leadTime: [1, 3],
  },
  'Filing & folders': {
    makers: ['Archiva', 'Ordo Büroform', 'Fileworks'],
    closings: ['Designed for the A4 format (210 × 297 mm).', 'Made from recycled material wherever possible — see the "Blue Angel" mark on the pack.', 'Bulk prices available on request.'],
    stock: [30, 1800],
    leadTime: [1, 4],
  },
  'Desk accessories': {
    makers: ['Deskline', 'Meridian Office', 'Stahlwerk Bürobedarf'],
    closings: ['Two-year manufacturer warranty.', 'Non-slip base protects the desk surface.', 'Sold in a recyclable retail box.'],
    stock: [20, 1200],
    leadTime: [1, 4],
  },
  'Computer accessories': {
    makers: ['Tactile Labs', 'Corvix', 'Portline'],
    closings: ['Two-year warranty; three years when registered online.', 'CE and RoHS compliant.', 'Ships in plastic-free packaging.'],
    stock: [15, 900],
    leadTime: [1, 5],
  },
  'Printer supplies': {
    makers: ['Pigmenta', 'Tonerhaus', 'ImagePro Supplies'],
    closings: ['Store at 10–30 °C, away from direct sunlight.', 'Ships in recyclable packaging.', 'Bulk prices & framework agreements on request.'],
    stock: [10, 600],
    leadTime: [1, 5],
  },
  'Mailing & packaging': {
    makers: ['Postmark Packaging', 'Kraftwell', 'Envelo'],
    closings: ['Sold in shrink-wrapped bundles.', 'Ships from our central warehouse within the lead time shown.', 'Bulk prices available on request.'],
    stock: [25, 2000],
    leadTime: [1, 4],
  },
  'Cleaning & hygiene': {
    makers: ['Clarity Hygiene', 'Frisch & Sauber', 'Purelle Professional'],
    closings: ['Part of our "Clean Office" range.', 'Bulk prices & cleaning-contractor terms on request.', 'Ships in recyclable packaging.'],
    stock: [30, 2500],
    leadTime: [1, 3],
  },
  'Breakroom & coffee': {
    makers: ['Café Colombe', 'Brewhouse Provisions', 'Teeland'],
    closings: ['A favourite in our breakroom subscription boxes.', 'Bulk prices available on request.', 'Ships in recyclable packaging.'],
    stock: [30, 1500],
    leadTime: [1, 3],
  },
  'Office furniture': {
    makers: ['Ergonomica', 'Tischwerk', 'Sitwell Contract'],
    closings: ['Delivered flat-packed with tools & assembly instructions.', 'Tested to EN 527 / EN 1335 where applicable.', 'Kerbside delivery; installation service available on request.'],
    stock: [0, 45],
    leadTime: [5, 14],
  },
  'Safety & first aid': {
    makers: ['Medisafe', 'Guardline', 'Sécurité Plus'],
    closings: ['Conforms to the relevant EN standard as stated.', 'Recommended by occupational health & safety advisers.', 'Bulk prices for multi-site orders on request.'],
    stock: [20, 1200],
    leadTime: [1, 4],
  },
  'Presentation boards': {
    makers: ['Boardroom Pro', 'Magnetix', 'Vista Boards'],
    closings: ['Part of the "Meeting Room" range.', 'Bulk prices available on request.', 'Ships in protective packaging.'],
    stock: [5, 300],
    leadTime: [2, 7],
  },
};

interface ItemOptions {
  unit?: string;
  /** Keep the price exactly as written (sub-cent per-piece prices that tests look for). */
  fixedPrice?: boolean;
}

/** [name, price in EUR as decimal text, optional second sentence, options]. */
type Item = readonly [name: string, price: string, detail?: string, options?: ItemOptions];

interface Family {
  category: Category;
  unspsc: string;
  unit: string;
  /** Two or three letters for manufacturer part ids. */
  code: string;
  /** First sentence of every description in the family. */
  about: string;
  /** Second sentences; one is picked for an item that has no detail of its own. */
  extras: readonly string[];
  items: readonly Item[];
}

const PIECE: ItemOptions = { unit: 'EA' };

const FAMILIES: readonly Family[] = [
  // ----- Writing instruments -----------------------------------------------------------------
  {
    category: 'Writing instruments', unspsc: '44121704', unit: 'PK', code: 'BP',
    about: 'Retractable ballpoint pen with a soft rubber grip and a document-proof refill.',
    extras: ['The "click" mechanism is tested for 100,000 strokes.', 'Refills are interchangeable with the standard G2 size (ISO 12757-2).'],
    items: [
      ['Ballpoint pen, retractable, blue, 0.7 mm, pack of 10', '4.95'],
      ['Ballpoint pen, retractable, black, 0.7 mm, pack of 10', '4.95'],
      ['Ballpoint pen, retractable, red, 0.7 mm, pack of 10', '4.95'],
      ['Ballpoint pen, retractable, green, 0.7 mm, pack of 10', '4.95'],
      ['Ballpoint pen, stick, blue, 1.0 mm, box of 50', '9.90', 'A simple capped pen for counters, meeting rooms & visitors.', { unit: 'BX' }],
      ['Ballpoint pen, stick, black, 1.0 mm, box of 50', '9.90', 'A simple capped pen for counters, meeting rooms & visitors.', { unit: 'BX' }],
      ['Ballpoint pen, metal barrel, refillable, blue ink, in gift box', '19.90', 'Brushed stainless-steel barrel with a chrome clip; engraving on request.', PIECE],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121701', unit: 'PK', code: 'GR',
    about: 'Gel rollerball pen with a 0.5 mm needle tip for fine, smooth lines.',
    extras: ['Quick-drying ink that does not smear — also for left-handers.', 'Pigmented gel ink, water-resistant once dry.'],
    items: [
      ['Gel rollerball pen, 0.5 mm, blue, pack of 12', '14.50'],
      ['Gel rollerball pen, 0.5 mm, black, pack of 12', '14.50'],
      ['Gel rollerball pen, 0.5 mm, red, pack of 12', '14.50'],
      ['Gel rollerball pen, 0.5 mm, 8 assorted colours, wallet', '11.90', 'Colours: black, blue, red, green, violet, orange, pink & turquoise.', { unit: 'SET' }],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121703', unit: 'EA', code: 'FP',
    about: 'Fountain pen with a polished stainless-steel nib and a converter for bottled ink.',
    extras: ['Takes standard international ink cartridges.'],
    items: [
      ['Fountain pen, steel nib M, black lacquer', '39.00'],
      ['Fountain pen, steel nib F, matte blue, for left-handers', '42.00', 'The nib is ground for a pushing writing angle — ideal for left-handers.'],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121716', unit: 'EA', code: 'HL',
    about: 'Highlighter with a chisel tip for 2 and 5 mm lines and anti-dry-out ink.',
    extras: ['Can be left uncapped for up to 4 hours without drying out.', 'Does not smudge inkjet or laser print.'],
    items: [
      ['Highlighter, chisel tip, yellow', '0.89'],
      ['Highlighter, chisel tip, green', '0.89'],
      ['Highlighter, chisel tip, pink', '0.89'],
      ['Highlighter, chisel tip, orange', '0.89'],
      ['Highlighter set, chisel tip, 6 assorted colours', '5.49', undefined, { unit: 'SET' }],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121708', unit: 'EA', code: 'PM',
    about: 'Permanent marker with xylene-free ink for paper, cardboard, plastic, glass & metal.',
    extras: ['Waterproof and light-fast on most surfaces.', 'Low-odour alcohol-based ink.'],
    items: [
      ['Permanent marker, bullet tip, black', '1.29'],
      ['Permanent marker, bullet tip, blue', '1.29'],
      ['Permanent marker, bullet tip, red', '1.29'],
      ['Permanent marker, chisel tip, black, box of 10', '11.90', undefined, { unit: 'BX' }],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121706', unit: 'BX', code: 'PC',
    about: 'Hexagonal graphite pencil of sustainably sourced cedar, easy to sharpen.',
    extras: ['Break-resistant bonded lead.', 'Lacquered with water-based paint.'],
    items: [
      ['Graphite pencil HB, with eraser tip, box of 12', '3.60'],
      ['Graphite pencil 2B, box of 12', '3.80'],
      ['Graphite pencil 2H, box of 12', '3.80'],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121705', unit: 'EA', code: 'MP',
    about: 'Mechanical pencil with a cushioned lead sleeve and a twist-up eraser.',
    extras: ['Comes loaded with 12 HB leads.'],
    items: [
      ['Mechanical pencil 0.5 mm, with eraser, black', '3.95'],
      ['Mechanical pencil 0.7 mm, with eraser, blue', '3.95'],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121707', unit: 'SET', code: 'CP',
    about: 'Triangular coloured pencils with a soft, brilliant lead.',
    extras: ['The ergonomic shape keeps pencils from rolling off the table.'],
    items: [['Coloured pencils, triangular, 24 colours, in cardboard case', '8.90']],
  },
  {
    category: 'Writing instruments', unspsc: '44121804', unit: 'EA', code: 'ER',
    about: 'PVC-free plastic eraser that removes graphite cleanly without tearing paper.',
    extras: ['Measures 65 × 23 × 12 mm and comes in a protective sleeve.'],
    items: [['Eraser, PVC-free, white, 65 × 23 × 12 mm', '0.79']],
  },
  {
    category: 'Writing instruments', unspsc: '44121801', unit: 'EA', code: 'CT',
    about: 'Correction tape roller for dry, instant corrections — write over it straight away.',
    extras: ['Side application for a clear view of the line being corrected.'],
    items: [
      ['Correction tape, 4.2 mm × 10 m, side application', '2.49'],
      ['Correction tape refill cassette, 4.2 mm × 10 m', '1.79'],
    ],
  },
  {
    category: 'Writing instruments', unspsc: '44121802', unit: 'BO', code: 'CF',
    about: 'Quick-drying correction fluid with a foam applicator brush.',
    extras: ['Solvent-free formula, safe for use in the office.'],
    items: [['Correction fluid, quick-drying, 20 ml bottle with brush', '1.95']],
  },
  {
    category: 'Writing instruments', unspsc: '44121710', unit: 'BX', code: 'CK',
    about: 'Dust-free chalk for blackboards, round sticks of 80 mm.',
    extras: ['Wipes off with a damp cloth.'],
    items: [
      ['Chalk, white, dust-free, box of 100', '3.95'],
      ['Chalk, assorted colours, dust-free, box of 100', '4.95'],
    ],
  },

  // ----- Paper & notebooks --------------------------------------------------------------------
  {
    category: 'Paper & notebooks', unspsc: '14111507', unit: 'RM', code: 'CP',
    about: 'Multipurpose paper for laser & inkjet printers, copiers and fax machines.',
    extras: ['CIE whiteness 161 for crisp contrast.', 'Jam-free performance in high-speed duplex printing.'],
    items: [
      ['Copy paper A4, 80 g/m², white, 500 sheets', '4.49'],
      ['Copy paper A4, 80 g/m², white, box of 5 reams (2,500 sheets)', '21.90', undefined, { unit: 'BX' }],
      ['Copy paper A4, 75 g/m², recycled, 500 sheets', '4.29', 'Made from 100 % recovered paper with the "Blue Angel" label.'],
      ['Copy paper A3, 80 g/m², white, 500 sheets', '8.95'],
      ['Premium paper A4, 100 g/m², extra white, 500 sheets', '7.95', 'Heavier paper for proposals, CVs & client-facing reports.'],
      ['Premium paper A4, 120 g/m², extra white, 250 sheets', '8.49', undefined, { unit: 'PK' }],
      ['Coloured paper A4, 80 g/m², pastel yellow, 500 sheets', '6.95'],
      ['Coloured paper A4, 80 g/m², pastel blue, 500 sheets', '6.95'],
      ['Coloured paper A4, 80 g/m², pastel green, 500 sheets', '6.95'],
      ['Coloured paper A4, 80 g/m², intensive red, 500 sheets', '7.45'],
      ['Copy paper A4, 80 g/m², white, sold per sheet', '0.0089', 'Priced per sheet for cost-centre allocation of print jobs.', { unit: 'EA', fixedPrice: true }],
    ],
  },
  {
    category: 'Paper & notebooks', unspsc: '14111514', unit: 'EA', code: 'NB',
    about: 'Notebook with smooth 70 g/m² paper that takes fountain pen ink without bleeding.',
    extras: ['Micro-perforated pages tear out cleanly.', 'Pages are pre-punched for ring binders.'],
    items: [
      ['Notebook A4, ruled, 80 sheets, spiral-bound', '3.49'],
      ['Notebook A4, squared 5 mm, 80 sheets, spiral-bound', '3.49'],
      ['Notebook A5, dotted, 96 sheets, hardcover with elastic band', '5.95', 'Lay-flat binding, ribbon marker & an expandable back pocket.'],
      ['Writing pad A4, ruled, 50 sheets, glued top', '1.49'],
      ['Shorthand notebook, 14.8 × 21 cm, ruled, 80 sheets', '1.19'],
      ['Meeting book A4 with action column, 160 pages', '7.90', 'Each page has fields for date, attendees & follow-ups.'],
    ],
  },
  {
    category: 'Paper & notebooks', unspsc: '14111530', unit: 'PK', code: 'SN',
    about: 'Self-adhesive notes that stick securely and remove without residue.',
    extras: ['Solvent-free adhesive.', 'Each pad has 100 sheets.'],
    items: [
      ['Sticky notes 76 × 76 mm, yellow, pack of 12 pads', '8.95'],
      ['Sticky notes 76 × 127 mm, yellow, ruled, pack of 12 pads', '12.40'],
      ['Sticky notes 76 × 76 mm, neon assorted, pack of 6 pads', '6.49'],
      ['Page markers, film, 5 colours × 25 flags', '3.20', 'Transparent film flags you can write on and reposition.'],
    ],
  },
  {
    category: 'Paper & notebooks', unspsc: '14111518', unit: 'PK', code: 'IC',
    about: 'Sturdy 190 g/m² index cards for notes, learning cards and card files.',
    extras: ['Sold shrink-wrapped in packs of 100.'],
    items: [
      ['Index cards A7, ruled, white, pack of 100', '1.95'],
      ['Index cards A6, squared, white, pack of 100', '2.60'],
    ],
  },

  // ----- Filing & folders ---------------------------------------------------------------------
  {
    category: 'Filing & folders', unspsc: '44122035', unit: 'EA', code: 'LA',
    about: 'Lever arch file A4 with a 80 mm spine, PP-covered board and a metal-reinforced bottom edge.',
    extras: ['Holds up to 600 sheets of 80 g/m² paper.', 'Spine label pocket & finger hole for easy removal from the shelf.'],
    items: [
      ['Lever arch file A4, 80 mm spine, blue', '2.69'],
      ['Lever arch file A4, 80 mm spine, black', '2.69'],
      ['Lever arch file A4, 80 mm spine, red', '2.69'],
      ['Lever arch file A4, 80 mm spine, green', '2.69'],
      ['Lever arch file A4, 80 mm spine, grey', '2.69'],
      ['Lever arch file A4, 50 mm spine, black', '2.59', 'The narrow version for up to 350 sheets.'],
    ],
  },
  {
    category: 'Filing & folders', unspsc: '44122003', unit: 'EA', code: 'RB',
    about: 'Ring binder A4 made of durable polypropylene with 25 mm round rings.',
    extras: ['Wipe-clean surface.'],
    items: [
      ['Ring binder A4, 2 rings, 25 mm, polypropylene, white', '1.79'],
      ['Ring binder A4, 2 rings, 25 mm, polypropylene, black', '1.79'],
      ['Presentation ring binder A4, 4 D-rings, with clear overlay pockets', '3.49', 'Slide a custom cover into the front, spine & back pockets.'],
    ],
  },
  {
    category: 'Filing & folders', unspsc: '44122011', unit: 'PK', code: 'FO',
    about: 'Folders for sorting, carrying and filing loose documents.',
    extras: ['Suitable for A4 and letter-size documents.'],
    items: [
      ['Manila folders A4, 180 g/m², pack of 100', '14.90'],
      ['Document wallets A4 with elastic closure, assorted colours, pack of 10', '9.95'],
      ['Clear L-folders A4, 0.12 mm, pack of 100', '12.90', 'Open on two sides for quick insertion — "cut flush" on the top edge.'],
      ['Presentation folders A4 with business card slot, pack of 25', '18.90'],
    ],
  },
  {
    category: 'Filing & folders', unspsc: '44122017', unit: 'PK', code: 'HF',
    about: 'Suspension files with metal rails and a tab holder for labelling.',
    extras: ['Compatible with all standard suspension file frames.'],
    items: [
      ['Suspension files for drawers, A4, 30 mm base, pack of 25', '19.90'],
      ['Suspension files for cabinets, foolscap, V-base, pack of 25', '21.50'],
    ],
  },
  {
    category: 'Filing & folders', unspsc: '44122018', unit: 'SET', code: 'DV',
    about: 'Dividers for A4 ring binders with reinforced punch holes.',
    extras: ['Includes a printable contents sheet.'],
    items: [
      ['Dividers A4, numbered 1–12, polypropylene', '2.95'],
      ['Dividers A4, A–Z, grey card', '3.95'],
      ['Dividers A4, 5-part, coloured, extra-wide for punched pockets', '1.49'],
    ],
  },
  {
    category: 'Filing & folders', unspsc: '44122008', unit: 'PK', code: 'IT',
    about: 'Self-adhesive index tabs with insert strips for marking pages and sections.',
    extras: ['Repositionable during the first minutes.'],
    items: [['Index tabs, self-adhesive, 25 mm, assorted colours, 6 × 8 tabs', '2.79']],
  },
  {
    category: 'Filing & folders', unspsc: '44111515', unit: 'PK', code: 'FB',
    about: 'Storage for catalogues, magazines and documents on shelves.',
    extras: ['Delivered flat; folds into shape in seconds.'],
    items: [
      ['Magazine files A4, cardboard, white, pack of 10', '15.90'],
      ['Archive boxes, 80 mm spine, recycled board, pack of 50', '39.90'],
      ['Expanding file A4, 13 pockets, with tab labels & elastic strap', '7.95', undefined, PIECE],
    ],
  },

  // ----- Desk accessories ---------------------------------------------------------------------
  {
    category: 'Desk accessories', unspsc: '44121615', unit: 'EA', code: 'ST',
    about: 'All-metal stapler with an open-loading channel and a built-in staple remover.',
    extras: ['Staples flat or pinned (temporary) via the rotating anvil.'],
    items: [
      ['Stapler, metal, 25 sheets, for staples 24/6 & 26/6', '9.95'],
      ['Heavy-duty stapler, 200 sheets, for staples 23/8–23/24', '49.00', 'A depth guide sets the stapling distance from 0 to 60 mm.'],
      ['Stapler, plier type, 20 sheets, 24/6', '17.50'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44122107', unit: 'BX', code: 'SP',
    about: 'Galvanised staples with sharp chisel points for clean stapling.',
    extras: ['Fits all standard staplers of the matching size.'],
    items: [
      ['Staples 24/6, galvanised, box of 1000', '0.99'],
      ['Staples 26/6, galvanised, box of 5000', '2.29'],
      ['Staples 23/13, heavy duty, box of 1000', '3.95'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44121613', unit: 'EA', code: 'SR',
    about: 'Staple remover with claws of hardened steel for all common staple sizes.',
    extras: ['Safety lock keeps it closed in the drawer.'],
    items: [['Staple remover, claw type, black', '1.49']],
  },
  {
    category: 'Desk accessories', unspsc: '44122104', unit: 'BX', code: 'PC',
    about: 'Paper clips of galvanised steel wire that hold without marking the paper.',
    extras: ['Rust-free and reusable.'],
    items: [
      ['Paper clips, 28 mm, galvanised, box of 100', '0.69'],
      ['Paper clips, 50 mm, galvanised, box of 100', '1.49'],
      ['Paper clips, 32 mm, vinyl-coated, assorted colours, sold per piece', '0.0042', 'Sold by the piece for kitting & assembly lines; minimum order 1,000 pieces recommended.', { unit: 'EA', fixedPrice: true }],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44122105', unit: 'BX', code: 'BC',
    about: 'Foldback binder clips of spring steel with removable handles.',
    extras: ['Handles fold flat for filing.'],
    items: [
      ['Binder clips, 19 mm, black, box of 12', '1.29'],
      ['Binder clips, 32 mm, black, box of 12', '1.89'],
      ['Binder clips, 51 mm, black, box of 12', '3.49'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44122101', unit: 'BG', code: 'RB',
    about: 'Rubber bands of natural rubber with high elasticity.',
    extras: ['Assorted sizes from 40 to 100 mm lay-flat length.'],
    items: [['Rubber bands, assorted sizes, 100 g bag', '2.19']],
  },
  {
    category: 'Desk accessories', unspsc: '44121618', unit: 'PR', code: 'SC',
    about: 'Office scissors with stainless-steel blades and soft-grip handles.',
    extras: ['Symmetrical handles for right- and left-handed use.'],
    items: [
      ['Office scissors, 21 cm, stainless steel, soft grip', '4.49'],
      ['Office scissors, 25 cm, titanium-coated, non-stick blades', '8.95', 'The non-stick coating keeps adhesive tape from gumming up the blades.'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44121605', unit: 'EA', code: 'TD',
    about: 'Weighted desktop tape dispenser with a serrated cutting edge.',
    extras: ['Takes rolls up to 19 mm × 33 m on a 25 mm core.'],
    items: [['Tape dispenser, desktop, weighted, black', '8.95']],
  },
  {
    category: 'Desk accessories', unspsc: '31201512', unit: 'PK', code: 'AT',
    about: 'Transparent adhesive tape for office use, tear-resistant and age-resistant.',
    extras: ['Unwinds quietly.'],
    items: [
      ['Adhesive tape, clear, 19 mm × 33 m, pack of 8 rolls', '5.95'],
      ['Invisible tape, matte, 19 mm × 33 m', '1.89', 'Invisible on copies and can be written on.', { unit: 'RO' }],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44121619', unit: 'EA', code: 'PS',
    about: 'Pencil sharpener with a hardened-steel blade for a precise point.',
    extras: ['Replacement blades available.'],
    items: [
      ['Pencil sharpener, metal, double hole', '1.29'],
      ['Electric pencil sharpener, with shavings container & auto-stop', '24.90', 'Stops automatically when the pencil is sharp or the container is full.'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44121612', unit: 'EA', code: 'CK',
    about: 'Cutter knife with snap-off blades and an automatic blade lock.',
    extras: ['Five spare blades stored in the handle.'],
    items: [['Cutter knife, 18 mm, snap-off blades, auto-lock', '3.49']],
  },
  {
    category: 'Desk accessories', unspsc: '44101602', unit: 'EA', code: 'HP',
    about: 'Two-hole punch with a sliding paper guide for A4, A5, A6 & US letter.',
    extras: ['Hole spacing 80 mm according to ISO 838.'],
    items: [
      ['Hole punch, 2 holes, 30 sheets, with paper guide', '8.49'],
      ['Heavy-duty hole punch, 2 holes, 150 sheets, long lever', '59.00'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44101807', unit: 'EA', code: 'CA',
    about: 'Desktop calculator with a tilted 12-digit display and solar & battery power.',
    extras: ['Tax, margin and currency-conversion keys.'],
    items: [['Desktop calculator, 12 digits, solar & battery', '14.90']],
  },
  {
    category: 'Desk accessories', unspsc: '44111503', unit: 'EA', code: 'LT',
    about: 'Desk organisation for A4 documents, stackable and sturdy.',
    extras: ['Stacks straight or offset.'],
    items: [
      ['Letter tray A4, stackable, smoke grey', '3.95'],
      ['Letter tray A4, stackable, black', '3.95'],
      ['Desk organiser, mesh metal, 5 compartments', '12.90'],
      ['Drawer set A4, 5 drawers, with label holders', '29.90'],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '41111604', unit: 'EA', code: 'RU',
    about: 'Aluminium ruler with an anti-slip back and cm/inch scales.',
    extras: ['Bevelled edge for ink-free drawing.'],
    items: [['Ruler 30 cm, aluminium, cm & inch scale', '2.29']],
  },
  {
    category: 'Desk accessories', unspsc: '44101603', unit: 'EA', code: 'SH',
    about: 'Paper shredder for confidential documents, also shreds staples and credit cards.',
    extras: ['Automatic start/stop and reverse function against jams.'],
    items: [
      ['Paper shredder, cross-cut P-4, 12 sheets, 23 l bin', '149.00', 'Security level P-4 (DIN 66399) for personal data under the GDPR.'],
      ['Shredder oil, 250 ml bottle with precision nozzle', '8.90', undefined, { unit: 'BO' }],
    ],
  },
  {
    category: 'Desk accessories', unspsc: '44101601', unit: 'EA', code: 'TR',
    about: 'Lever paper trimmer with a metal base and a transparent safety guard.',
    extras: ['Cutting length 320 mm for A4 and smaller.'],
    items: [['Paper trimmer A4, 10 sheets, with safety guard', '39.90']],
  },

  // ----- Computer accessories -----------------------------------------------------------------
  {
    category: 'Computer accessories', unspsc: '43211708', unit: 'EA', code: 'MS',
    about: 'Computer mouse with a precise optical sensor for everyday office work.',
    extras: ['Works on almost any surface, including wood & matte plastic.', 'Plug & play with Windows, macOS and Linux — no driver needed.'],
    items: [
      ['Wireless optical mouse, 2.4 GHz, USB-A receiver, black', '14.90'],
      ['Bluetooth mouse, silent click, multi-device, grey', '24.90', 'Pairs with up to three devices and switches at the push of a button.'],
      ['Ergonomic vertical mouse, wireless, right-handed', '39.90', 'The 57° handshake position relieves wrist and forearm.'],
      ['Wired optical mouse, USB-A, 1000 dpi', '7.95'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43211706', unit: 'EA', code: 'KB',
    about: 'Full-size keyboard with quiet, low-profile keys and a numeric keypad.',
    extras: ['Spill-resistant design.'],
    items: [
      ['Keyboard, wired, USB-A, German layout (QWERTZ)', '19.90'],
      ['Keyboard, wireless, US layout (QWERTY)', '29.90'],
      ['Wireless keyboard & mouse set, German layout (QWERTZ)', '44.90', 'One nano receiver for both devices.', { unit: 'SET' }],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43211802', unit: 'EA', code: 'MP',
    about: 'Gel wrist support that keeps the wrist in a neutral position.',
    extras: ['Non-slip rubber base.'],
    items: [
      ['Mouse pad with gel wrist rest, black', '8.95'],
      ['Keyboard wrist rest, gel, 46 cm, black', '12.90'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43211609', unit: 'EA', code: 'HB',
    about: 'USB-C hub in an aluminium housing that adds the ports a slim laptop lacks.',
    extras: ['Bus-powered; no power adapter needed.'],
    items: [
      ['USB-C hub, 4 × USB-A 3.0, aluminium', '24.90'],
      ['USB-C multiport adapter, HDMI 4K, USB-A, SD card, 100 W pass-through', '49.90', 'Charges the laptop through the adapter with up to 100 W (USB Power Delivery).'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43211602', unit: 'EA', code: 'DS',
    about: 'USB-C docking station that connects monitors, network and peripherals with one cable.',
    extras: ['Firmware updates via the manufacturer’s free utility.'],
    items: [['USB-C docking station, dual HDMI, Gigabit Ethernet, 100 W', '169.00', 'Drives two displays at up to 4K @ 60 Hz.']],
  },
  {
    category: 'Computer accessories', unspsc: '43202222', unit: 'EA', code: 'CB',
    about: 'Shielded cable with gold-plated connectors for reliable signal transmission.',
    extras: ['Flexible PVC jacket with strain relief.'],
    items: [
      ['HDMI cable 2.0, 4K, 2 m', '8.49'],
      ['USB-C to USB-C cable, 240 W, 1 m', '12.90'],
      ['DisplayPort cable 1.4, 8K, 2 m', '11.90'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43223303', unit: 'EA', code: 'PC',
    about: 'Cat 6 patch cable, S/FTP, with snagless RJ45 plugs.',
    extras: ['Tested for 250 MHz.'],
    items: [['Network patch cable Cat 6, S/FTP, 3 m, grey', '3.95']],
  },
  {
    category: 'Computer accessories', unspsc: '43191609', unit: 'EA', code: 'HS',
    about: 'Headset for calls and video meetings with a noise-cancelling microphone.',
    extras: ['Certified for the common meeting platforms.'],
    items: [
      ['USB headset, stereo, noise-cancelling microphone', '39.90'],
      ['Bluetooth headset, mono, with charging stand, up to 20 h talk time', '89.00'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43202010', unit: 'EA', code: 'FD',
    about: 'USB 3.2 flash drive with a retractable connector and key ring loop.',
    extras: ['Read speeds up to 150 MB/s.'],
    items: [
      ['USB flash drive, 32 GB, USB 3.2', '6.90'],
      ['USB flash drive, 64 GB, USB 3.2', '9.90'],
      ['USB flash drive, 128 GB, USB 3.2', '16.90'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '43201827', unit: 'EA', code: 'HD',
    about: 'Portable hard drive in a shock-absorbing housing, powered over USB.',
    extras: ['Includes backup software with AES-256 encryption.'],
    items: [['Portable hard drive, 2 TB, USB 3.2, black', '79.00']],
  },
  {
    category: 'Computer accessories', unspsc: '43211619', unit: 'EA', code: 'LS',
    about: 'Protective laptop case with padded walls and a zipped accessory pocket.',
    extras: ['Water-repellent outer fabric.'],
    items: [
      ['Laptop sleeve 14", neoprene, grey', '17.90'],
      ['Laptop backpack 15.6", water-repellent, with trolley strap', '49.90'],
    ],
  },
  {
    category: 'Computer accessories', unspsc: '26111702', unit: 'PK', code: 'BT',
    about: 'Alkaline batteries for remote controls, mice, keyboards and clocks.',
    extras: ['Shelf life of up to 10 years.'],
    items: [
      ['Alkaline batteries AA (LR6), 1.5 V, pack of 24', '12.90'],
      ['Alkaline batteries AAA (LR03), 1.5 V, pack of 24', '11.90'],
      ['Alkaline batteries 9 V (6LR61), pack of 2', '6.49'],
    ],
  },

  // ----- Printer supplies ---------------------------------------------------------------------
  {
    category: 'Printer supplies', unspsc: '44103103', unit: 'EA', code: 'TN',
    about: 'Toner cartridge for sharp text and consistent greys until the last page.',
    extras: ['Page yield measured according to ISO/IEC 19752 & 19798.', 'Chip included — the printer shows the correct fill level.', 'Compatible cartridge; does not affect the printer warranty.'],
    items: [
      ['Toner cartridge NL-240, black, 2,600 pages (for Nordlicht LP-2400)', '79.00'],
      ['Toner cartridge NL-240X, black, high yield, 9,000 pages (for Nordlicht LP-2400)', '139.00'],
      ['Toner cartridge NL-320, black, 6,000 pages (for Nordlicht LP-3200 series)', '109.00'],
      ['Toner cartridge VX-520, black, 7,000 pages (for Vexa ColorLaser 5200)', '119.00'],
      ['Toner cartridge VX-520, cyan, 5,000 pages (for Vexa ColorLaser 5200)', '129.00'],
      ['Toner cartridge VX-520, magenta, 5,000 pages (for Vexa ColorLaser 5200)', '129.00'],
      ['Toner cartridge VX-520, yellow, 5,000 pages (for Vexa ColorLaser 5200)', '129.00'],
    ],
  },
  {
    category: 'Printer supplies', unspsc: '44103105', unit: 'EA', code: 'IK',
    about: 'Ink cartridge with fade-resistant pigment ink for documents & photos.',
    extras: ['Smudge-proof on plain paper within seconds.', 'Return empty cartridges free of charge with the enclosed label.'],
    items: [
      ['Ink cartridge VX-32, black, 550 pages', '24.90'],
      ['Ink cartridge VX-32XL, black, high capacity, 1,200 pages', '39.90'],
      ['Ink cartridge VX-32, cyan, 400 pages', '16.90'],
      ['Ink cartridge VX-32, magenta, 400 pages', '16.90'],
      ['Ink cartridge VX-32, yellow, 400 pages', '16.90'],
      ['Ink cartridge multipack VX-32 (black, cyan, magenta, yellow)', '64.90', 'Saves about 15 % compared with single cartridges.', { unit: 'PK' }],
    ],
  },
  {
    category: 'Printer supplies', unspsc: '44103109', unit: 'EA', code: 'DR',
    about: 'Imaging drum unit that transfers toner to paper with even density.',
    extras: ['Replace when the printer reports "Drum end soon".'],
    items: [['Drum unit NL-DR240, 12,000 pages (for Nordlicht LP-2400)', '89.00']],
  },
  {
    category: 'Printer supplies', unspsc: '44103112', unit: 'EA', code: 'RB',
    about: 'Printer ribbon for crisp, durable prints on forms and labels.',
    extras: ['Long-life fabric/film that resists fraying.'],
    items: [
      ['Printer ribbon for 9-pin dot-matrix printers, black nylon', '6.95'],
      ['Thermal transfer ribbon 110 mm × 300 m, wax, for label printers', '11.90', undefined, { unit: 'RO' }],
    ],
  },
  {
    category: 'Printer supplies', unspsc: '44103125', unit: 'SET', code: 'MK',
    about: 'Maintenance kit with fuser unit, transfer roller and pick-up rollers.',
    extras: ['Resets the maintenance counter after installation.'],
    items: [['Maintenance kit NL-MK240, fuser & rollers, 100,000 pages', '219.00']],
  },
  {
    category: 'Printer supplies', unspsc: '55121606', unit: 'BX', code: 'LB',
    about: 'Self-adhesive labels on A4 sheets for laser & inkjet printers and copiers.',
    extras: ['Templates for common word processors are free to download.', 'Permanent adhesive; sheets stay flat through the printer.'],
    items: [
      ['Address labels 70 × 37 mm, white, 24 per sheet, 100 sheets', '19.90'],
      ['Address labels 70 × 37 mm, white, sold per label', '0.0125', 'Priced per label for small runs; delivered on full sheets of 24.', { unit: 'EA', fixedPrice: true }],
      ['Mini labels 38 × 21.2 mm, white, 65 per sheet, 100 sheets', '21.90'],
      ['Shipping labels A4, one per sheet, white, 100 sheets', '17.50'],
      ['Removable labels 63.5 × 38.1 mm, white, 21 per sheet, 25 sheets', '9.90', 'Peel off without residue from paper, glass & plastic.', { unit: 'PK' }],
    ],
  },

  // ----- Mailing & packaging ------------------------------------------------------------------
  {
    category: 'Mailing & packaging', unspsc: '44121506', unit: 'BX', code: 'EN',
    about: 'Envelopes for letters and documents with a strong, self-sealing flap.',
    extras: ['Grey inner print keeps contents confidential.', 'Conforms to the postal formats of Deutsche Post & most EU carriers.'],
    items: [
      ['Envelopes DL 110 × 220 mm, white, self-seal, box of 1000', '24.90'],
      ['Envelopes C5 162 × 229 mm, white, self-seal, box of 500', '22.90'],
      ['Envelopes C6 114 × 162 mm, white, self-seal, box of 500', '14.90'],
      ['Envelopes C4 229 × 324 mm, brown kraft, self-seal, box of 250', '32.50'],
      ['Padded envelopes, size D, 180 × 265 mm, pack of 10', '6.90', 'Bubble lining protects small items in the post.', { unit: 'PK' }],
      ['Board-back envelopes C4, "Please do not bend", pack of 25', '16.90', 'A rigid back panel keeps certificates & photos flat.', { unit: 'PK' }],
    ],
  },
  {
    category: 'Mailing & packaging', unspsc: '44121504', unit: 'BX', code: 'WE',
    about: 'Window envelopes for letters folded to DIN 676 with the address in the window.',
    extras: ['Window film is recyclable with paper.'],
    items: [
      ['Envelopes DL with window, white, self-seal, box of 1000', '27.90'],
      ['Envelopes C5 with window, white, self-seal, box of 500', '26.50'],
    ],
  },
  {
    category: 'Mailing & packaging', unspsc: '24121503', unit: 'PK', code: 'BX',
    about: 'Corrugated shipping boxes of brown kraft board, delivered flat.',
    extras: ['Dimensions are inner dimensions (L × W × H); suitable for parcels up to 20 kg.', 'Printable surface for your logo on request.'],
    items: [
      ['Shipping boxes, single wall, 305 × 215 × 110 mm, pack of 25', '18.90'],
      ['Shipping boxes, single wall, 430 × 305 × 300 mm, pack of 20', '27.50'],
      ['Shipping boxes, double wall, 600 × 400 × 400 mm, pack of 10', '34.90'],
    ],
  },
  {
    category: 'Mailing & packaging', unspsc: '24141601', unit: 'RO', code: 'BW',
    about: 'Bubble wrap for padding fragile goods, perforated every 30 cm.',
    extras: ['Made with 30 % recycled polyethylene.'],
    items: [
      ['Bubble wrap, 500 mm × 50 m, small bubbles', '14.90'],
      ['Bubble wrap, 1000 mm × 100 m, small bubbles', '39.90'],
    ],
  },
  {
    category: 'Mailing & packaging', unspsc: '31201517', unit: 'PK', code: 'PT',
    about: 'Packaging tape with a strong acrylic adhesive for cartons up to 30 kg.',
    extras: ['Low-noise unwinding.'],
    items: [
      ['Packaging tape, brown, 48 mm × 66 m, pack of 6', '9.95'],
      ['Packaging tape, clear, 48 mm × 66 m, pack of 6', '9.95'],
      ['Tape gun dispenser for packaging tape up to 50 mm', '12.90', 'Adjustable brake & a retractable blade guard.', PIECE],
    ],
  },
  {
    category: 'Mailing & packaging', unspsc: '24141501', unit: 'RO', code: 'SF',
    about: 'Hand stretch film for securing pallets and bundling goods.',
    extras: ['Cling on one side only, so wrapped loads do not stick together.'],
    items: [['Hand stretch film, 500 mm × 300 m, 23 µm, clear', '16.90']],
  },
  {
    category: 'Mailing & packaging', unspsc: '24141603', unit: 'RO', code: 'VF',
    about: 'Paper void fill for filling gaps in boxes — plastic-free and recyclable.',
    extras: ['One roll fills roughly 120 medium boxes.'],
    items: [['Paper void fill, 15 kg roll, recycled kraft', '44.90']],
  },
  {
    category: 'Mailing & packaging', unspsc: '24111503', unit: 'PK', code: 'ZB',
    about: 'Resealable zip bags of food-safe LDPE for small parts and samples.',
    extras: ['White writing panel on the front.'],
    items: [
      ['Zip bags, 100 × 150 mm, 50 µm, pack of 100', '4.95'],
      ['Zip bags, 200 × 300 mm, 50 µm, pack of 100', '9.90'],
    ],
  },
  {
    category: 'Mailing & packaging', unspsc: '24121502', unit: 'PK', code: 'MB',
    about: 'Opaque shipping bags with a peel & seal closure for textiles and soft goods.',
    extras: ['Tear-proof & waterproof.'],
    items: [['Shipping bags, LDPE, 400 × 500 mm, grey, pack of 100', '18.50']],
  },

  // ----- Cleaning & hygiene -------------------------------------------------------------------
  {
    category: 'Cleaning & hygiene', unspsc: '47131805', unit: 'BO', code: 'AC',
    about: 'All-purpose cleaner for washable surfaces, floors and sanitary areas.',
    extras: ['Biodegradable surfactants (EC 648/2004); safety data sheet on request.'],
    items: [
      ['All-purpose cleaner, lemon, 1 l', '2.95'],
      ['All-purpose cleaner, concentrate, 5 l canister', '14.90', 'Dilute 20 ml in 5 l of water — enough for 250 buckets.', { unit: 'CA' }],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47131824', unit: 'BO', code: 'GC',
    about: 'Streak-free glass cleaner for windows, mirrors and glass partitions.',
    extras: ['Also cleans monitors with a dry microfibre cloth.'],
    items: [['Glass cleaner spray, 750 ml', '3.49']],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47131803', unit: 'BO', code: 'DI',
    about: 'Alcohol-based surface disinfectant, effective against bacteria & enveloped viruses.',
    extras: ['Contact time: 30 seconds.'],
    items: [
      ['Surface disinfectant spray, alcohol-based, 500 ml', '7.95'],
      ['Disinfectant wipes, alcohol-based, tub of 100', '9.90', undefined, { unit: 'PK' }],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47131502', unit: 'PK', code: 'CL',
    about: 'Cleaning cloths that pick up dust and grease without chemicals.',
    extras: ['Machine-washable at 95 °C up to 300 times.'],
    items: [
      ['Microfibre cloths 40 × 40 cm, 4 colours, pack of 10', '12.90', 'Colour-coded for kitchen, sanitary, office & glass.'],
      ['Screen cleaning wipes, pre-moistened, tub of 100', '6.95'],
      ['Cleaning cloths, microfibre, glass & screen, pack of 5', '7.90'],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47121701', unit: 'RO', code: 'WB',
    about: 'Tear-resistant waste bags of recycled polyethylene.',
    extras: ['Easy to separate along the perforation.'],
    items: [
      ['Waste bags 60 l, black, roll of 20', '3.95'],
      ['Waste bags 120 l, extra strong, roll of 25', '9.90'],
      ['Bin liners 30 l, white, roll of 50', '3.49'],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47121702', unit: 'EA', code: 'BN',
    about: 'Waste bins for offices and meeting rooms.',
    extras: ['Rounded edges & a non-slip base.'],
    items: [
      ['Waste paper basket, 18 l, mesh metal, black', '9.90'],
      ['Recycling bin set, 3 × 40 l, colour-coded lids', '69.00', 'Blue for paper, yellow for packaging, black for residual waste.', { unit: 'SET' }],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '14111703', unit: 'BX', code: 'PT',
    about: 'Absorbent paper towels for washrooms and kitchens.',
    extras: ['Fits all standard dispensers.'],
    items: [
      ['Paper towels, Z-fold, 2-ply, 25 × 23 cm, 3,200 sheets', '29.90'],
      ['Kitchen rolls, 2-ply, 8 rolls', '7.49', undefined, { unit: 'PK' }],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '14111704', unit: 'PK', code: 'TP',
    about: 'Soft toilet paper made from 100 % recycled paper.',
    extras: ['Dissolves quickly — safe for septic systems.'],
    items: [
      ['Toilet paper, 3-ply, 250 sheets, pack of 8 rolls', '5.95'],
      ['Toilet paper, jumbo roll, 2-ply, 380 m, pack of 6', '27.90'],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '14111701', unit: 'BX', code: 'FT',
    about: 'Facial tissues, soft and strong, in a dispenser box.',
    extras: ['Balsam-free, suitable for sensitive skin.'],
    items: [['Facial tissues, 3-ply, box of 100', '1.59']],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '53131626', unit: 'BO', code: 'HS',
    about: 'Hand sanitiser gel with 70 % ethanol and moisturising glycerine.',
    extras: ['Dries in seconds without a sticky film; dermatologically tested.'],
    items: [
      ['Hand sanitiser gel, 500 ml pump bottle', '6.90'],
      ['Hand sanitiser gel, 5 l refill canister', '34.90', undefined, { unit: 'CA' }],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '53131608', unit: 'BO', code: 'SO',
    about: 'Mild, pH-neutral liquid soap for frequent hand washing.',
    extras: ['Free from microplastics.'],
    items: [
      ['Liquid hand soap, pH-neutral, 500 ml', '2.49'],
      ['Foam soap cartridge, 800 ml, for touchless dispensers', '7.90', undefined, PIECE],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47131810', unit: 'BO', code: 'DW',
    about: 'Dishwashing products for the office kitchen.',
    extras: ['Removes grease & coffee stains.'],
    items: [
      ['Dishwashing liquid, 1 l', '2.79'],
      ['Dishwasher tablets, all-in-one, pack of 100', '17.90', undefined, { unit: 'PK' }],
    ],
  },
  {
    category: 'Cleaning & hygiene', unspsc: '47131619', unit: 'EA', code: 'MH',
    about: 'Microfibre mop head with pockets for flat mop holders.',
    extras: ['Washable at 90 °C.'],
    items: [['Mop head, microfibre, 40 cm', '8.90']],
  },

  // ----- Breakroom & coffee -------------------------------------------------------------------
  {
    category: 'Breakroom & coffee', unspsc: '50201706', unit: 'BG', code: 'CO',
    about: 'Coffee roasted in small batches in a traditional drum roaster.',
    extras: ['Aroma valve keeps the beans fresh after opening.', 'Notes of chocolate, hazelnut & a hint of red fruit.', 'Fairtrade-certified; best before at least 9 months from delivery.'],
    items: [
      ['Coffee beans, 100 % Arabica, medium roast, 1 kg', '17.90'],
      ['Espresso beans, dark roast, 1 kg', '19.90'],
      ['Café crème beans, mild roast, 1 kg', '18.90', 'Balanced and mild — made for fully automatic machines.'],
      ['Ground coffee, filter grind, 500 g', '6.95', undefined, { unit: 'PK' }],
      ['Coffee pods, lungo, compostable, box of 50', '14.50', undefined, { unit: 'BX' }],
    ],
  },
  {
    category: 'Breakroom & coffee', unspsc: '50201713', unit: 'BX', code: 'TB',
    about: 'Tea bags, individually wrapped in aroma-protective envelopes.',
    extras: ['Steep for 3–5 minutes in freshly boiled water.'],
    items: [
      ['Tea bags, black tea Earl Grey, box of 100', '5.90'],
      ['Tea bags, green tea, box of 100', '5.90'],
      ['Tea bags, peppermint, box of 100', '4.95'],
      ['Tea bags, herbal & fruit assortment, 6 flavours, box of 60', '6.95'],
    ],
  },
  {
    category: 'Breakroom & coffee', unspsc: '50161509', unit: 'BX', code: 'SU',
    about: 'Sugar for coffee & tea in hygienic single portions or cubes.',
    extras: ['Made from European sugar beet.'],
    items: [
      ['Sugar sticks, 4 g, box of 500', '7.95'],
      ['Sugar cubes, 1 kg', '2.49', undefined, { unit: 'PK' }],
    ],
  },
  {
    category: 'Breakroom & coffee', unspsc: '50202301', unit: 'PK', code: 'WA',
    about: 'Natural mineral water from a protected spring, in returnable PET bottles.',
    extras: ['Price excludes the bottle deposit.'],
    items: [
      ['Mineral water, still, 0.5 l, pack of 24', '8.90'],
      ['Mineral water, sparkling, 0.5 l, pack of 24', '8.90'],
    ],
  },
  {
    category: 'Breakroom & coffee', unspsc: '52151504', unit: 'PK', code: 'CU',
    about: 'Disposable cups of FSC® board with a plastic-free coating.',
    extras: ['Suitable for hot and cold drinks.'],
    items: [
      ['Paper cups, 200 ml, white, pack of 100', '4.49'],
      ['Paper cups, 300 ml, double wall, pack of 50', '7.90'],
      ['Lids for 300 ml cups, with sip hole, pack of 100', '4.95'],
    ],
  },
  {
    category: 'Breakroom & coffee', unspsc: '52151503', unit: 'BX', code: 'ST',
    about: 'Disposable cutlery and stirrers of untreated birch wood.',
    extras: ['Compostable.'],
    items: [
      ['Wooden stirrers, 140 mm, box of 1000', '3.95'],
      ['Wooden stirrer, 140 mm, sold per piece', '0.0038', 'Sold per piece for vending & catering cost allocation.', { unit: 'EA', fixedPrice: true }],
      ['Wooden cutlery set, fork, knife & spoon, 100 of each', '12.90', undefined, { unit: 'SET' }],
    ],
  },
  {
    category: 'Breakroom & coffee', unspsc: '14111705', unit: 'PK', code: 'NA',
    about: 'Soft 2-ply paper napkins for the kitchen and catering.',
    extras: ['1/4 fold.'],
    items: [['Napkins, 33 × 33 cm, 2-ply, white, pack of 250', '4.95']],
  },
  {
    category: 'Breakroom & coffee', unspsc: '52151502', unit: 'PK', code: 'PL',
    about: 'Sturdy disposable plates of moulded sugar-cane fibre (bagasse).',
    extras: ['Microwave-safe and grease-resistant.'],
    items: [['Disposable plates, Ø 23 cm, bagasse, pack of 50', '4.49']],
  },

  // ----- Office furniture ---------------------------------------------------------------------
  {
    category: 'Office furniture', unspsc: '56112102', unit: 'EA', code: 'TC',
    about: 'Office chair for all-day work with a synchronous mechanism and adjustable seat depth.',
    extras: ['Load capacity 120 kg.', 'Soft castors for hard floors included.'],
    items: [
      ['Office chair, synchronous mechanism, mesh back, adjustable lumbar support', '289.00'],
      ['Task chair, fabric, black, height-adjustable armrests', '189.00'],
      ['Ergonomic office chair with headrest, 4D armrests, EN 1335', '399.00'],
    ],
  },
  {
    category: 'Office furniture', unspsc: '56112106', unit: 'EA', code: 'SS',
    about: 'Standing stool for active sitting at standing desks and workbenches.',
    extras: ['The rocking base follows every movement.'],
    items: [['Standing stool, height-adjustable 58–85 cm, anti-slip base', '129.00']],
  },
  {
    category: 'Office furniture', unspsc: '56112104', unit: 'EA', code: 'EC',
    about: 'Executive chair with a high back and thick upholstery.',
    extras: ['Tilt tension adjustable to body weight.'],
    items: [['Executive chair, leather, high back, chrome base', '549.00']],
  },
  {
    category: 'Office furniture', unspsc: '56112103', unit: 'EA', code: 'VC',
    about: 'Visitor and conference seating, robust and easy to clean.',
    extras: ['Floor glides protect parquet & tiles.'],
    items: [
      ['Visitor chairs, cantilever frame, stackable, set of 2', '179.00', undefined, { unit: 'SET' }],
      ['Conference chair with folding writing tablet', '149.00'],
    ],
  },
  {
    category: 'Office furniture', unspsc: '56101703', unit: 'EA', code: 'DK',
    about: 'Office desk with a scratch-resistant melamine top and a steel frame.',
    extras: ['Cable port & cable tray included.', 'Levelling feet compensate uneven floors by up to 15 mm.'],
    items: [
      ['Desk 160 × 80 cm, white, steel frame', '299.00'],
      ['Desk 180 × 80 cm, light grey, steel frame', '329.00'],
      ['Sit-stand desk, electric, 140 × 70 cm, oak décor', '549.00', 'Dual motors, memory for four heights & anti-collision stop.'],
      ['Sit-stand desk, electric, 180 × 80 cm, white', '649.00', 'Dual motors, memory for four heights & anti-collision stop.'],
      ['Corner desk 160 × 120 cm, 90°, white', '429.00'],
    ],
  },
  {
    category: 'Office furniture', unspsc: '56101706', unit: 'EA', code: 'CT',
    about: 'Meeting table for conference rooms and team areas.',
    extras: ['Top is 25 mm thick with ABS edging.'],
    items: [
      ['Conference table 240 × 120 cm, seats 8–10, oak décor', '899.00'],
      ['Round meeting table, Ø 120 cm, white', '349.00'],
    ],
  },
  {
    category: 'Office furniture', unspsc: '56101507', unit: 'EA', code: 'BC',
    about: 'Bookcase with adjustable shelves for files and binders.',
    extras: ['Each shelf holds 30 kg.'],
    items: [['Bookcase, 5 shelves, 80 × 190 cm, white', '179.00']],
  },
  {
    category: 'Office furniture', unspsc: '56101530', unit: 'EA', code: 'SC',
    about: 'Lockable steel storage cabinet with adjustable shelves.',
    extras: ['Two keys supplied; master-key system available.'],
    items: [
      ['Storage cabinet, steel, 2 doors, 4 shelves, lockable, grey', '389.00'],
      ['Tambour door cabinet 120 × 110 cm, lockable, white', '449.00'],
    ],
  },
  {
    category: 'Office furniture', unspsc: '56101702', unit: 'EA', code: 'FC',
    about: 'Filing furniture with full-extension drawers and a central lock.',
    extras: ['Anti-tilt mechanism: only one drawer opens at a time.'],
    items: [
      ['Mobile pedestal, 3 drawers, lockable, white', '219.00'],
      ['Filing cabinet, 4 drawers, for A4 suspension files, grey', '459.00'],
    ],
  },
  {
    category: 'Office furniture', unspsc: '43212002', unit: 'EA', code: 'MA',
    about: 'Monitor arm with gas springs for ergonomic screen positioning.',
    extras: ['VESA 75 & 100; desk clamp and grommet mount included.'],
    items: [
      ['Monitor arm, single, gas spring, for screens up to 32"', '89.00'],
      ['Monitor arm, dual, gas spring, for two screens up to 27"', '149.00'],
    ],
  },

  // ----- Safety & first aid -------------------------------------------------------------------
  {
    category: 'Safety & first aid', unspsc: '42172001', unit: 'EA', code: 'FA',
    about: 'First aid kit in a wall-mountable case with a transparent lid.',
    extras: ['Contents list printed inside the lid.'],
    items: [
      ['First aid kit DIN 13157, wall-mounted, for up to 50 employees', '39.90'],
      ['First aid kit DIN 13169, large, for workshops & production', '59.90'],
      ['First aid refill set DIN 13157', '24.90', undefined, { unit: 'SET' }],
      ['Vehicle first aid kit DIN 13164', '14.90'],
    ],
  },
  {
    category: 'Safety & first aid', unspsc: '42311505', unit: 'BX', code: 'PL',
    about: 'Plasters for small wounds, skin-friendly and breathable.',
    extras: ['Latex-free.'],
    items: [
      ['Plasters, assorted sizes, box of 100', '4.95'],
      ['Plaster dispenser, wall-mounted, with 2 × 45 waterproof strips', '29.90', undefined, PIECE],
    ],
  },
  {
    category: 'Safety & first aid', unspsc: '42311703', unit: 'RO', code: 'MT',
    about: 'Hypoallergenic medical tape for fixing dressings.',
    extras: ['Tears by hand in both directions.'],
    items: [['Medical tape, 2.5 cm × 5 m, hypoallergenic', '2.49']],
  },
  {
    category: 'Safety & first aid', unspsc: '42171702', unit: 'EA', code: 'RB',
    about: 'Rescue blanket that protects against cold, heat and wet.',
    extras: ['Folded to pocket size.'],
    items: [['Rescue blanket, gold/silver, 160 × 210 cm', '1.99']],
  },
  {
    category: 'Safety & first aid', unspsc: '46191601', unit: 'EA', code: 'FE',
    about: 'Fire extinguisher with a pressure gauge and a wall bracket, EN 3 approved.',
    extras: ['Must be inspected every two years by a competent person.'],
    items: [
      ['Fire extinguisher, foam, 6 l, with wall bracket', '89.00'],
      ['Fire extinguisher, CO₂, 2 kg, for electrical equipment', '79.00'],
    ],
  },
  {
    category: 'Safety & first aid', unspsc: '46181504', unit: 'BX', code: 'GL',
    about: 'Protective gloves for cleaning, first aid and light work.',
    extras: ['Textured fingertips for a secure grip.'],
    items: [
      ['Disposable nitrile gloves, powder-free, size M, box of 100', '8.90'],
      ['Disposable nitrile gloves, powder-free, size L, box of 100', '8.90'],
      ['Work gloves, nitrile-coated, size 9 (L)', '3.49', 'EN 388 mechanical protection, class 4121.', { unit: 'PR' }],
    ],
  },
  {
    category: 'Safety & first aid', unspsc: '46181507', unit: 'EA', code: 'HV',
    about: 'High-visibility vest with two reflective bands, EN ISO 20471 class 2.',
    extras: ['Hook & loop front closure.'],
    items: [['High-visibility vest, yellow, size XL', '3.95']],
  },
  {
    category: 'Safety & first aid', unspsc: '46181802', unit: 'EA', code: 'SG',
    about: 'Safety glasses with a polycarbonate lens, EN 166 marked.',
    extras: ['Anti-fog & anti-scratch coating.'],
    items: [['Safety glasses, clear, anti-fog, EN 166', '6.90']],
  },
  {
    category: 'Safety & first aid', unspsc: '46181901', unit: 'BX', code: 'EP',
    about: 'Soft foam ear plugs that expand for a comfortable seal.',
    extras: ['SNR 37 dB.'],
    items: [['Ear plugs, foam, SNR 37 dB, box of 200 pairs', '24.90']],
  },
  {
    category: 'Safety & first aid', unspsc: '46182001', unit: 'BX', code: 'FM',
    about: 'Face masks for protection against particles and droplets.',
    extras: ['Individually wrapped.'],
    items: [
      ['FFP2 respirator masks, EN 149, box of 20', '11.90'],
      ['Medical face masks, type IIR, box of 50', '6.90'],
    ],
  },
  {
    category: 'Safety & first aid', unspsc: '46181810', unit: 'BO', code: 'EW',
    about: 'Sterile eye wash solution (0.9 % saline) for rinsing out foreign bodies.',
    extras: ['Ergonomic eye cup for a controlled flow.'],
    items: [['Eye wash bottle, 500 ml, sterile saline', '9.90']],
  },

  // ----- Presentation boards ------------------------------------------------------------------
  {
    category: 'Presentation boards', unspsc: '44111905', unit: 'EA', code: 'WB',
    about: 'Magnetic whiteboard with an enamelled steel surface that wipes clean without ghosting.',
    extras: ['Anodised aluminium frame with a full-length pen tray; wall-mounting kit included.', 'Writable with all dry-erase markers — 10-year surface guarantee.'],
    items: [
      ['Whiteboard, magnetic, enamelled steel, 60 × 45 cm', '34.90'],
      ['Whiteboard, magnetic, enamelled steel, 90 × 60 cm', '64.90'],
      ['Whiteboard, magnetic, enamelled steel, 120 × 90 cm', '89.00'],
      ['Whiteboard, magnetic, enamelled steel, 180 × 120 cm', '169.00'],
      ['Glass board, magnetic, 100 × 100 cm, pure white', '199.00', 'Tempered safety glass: writes like a whiteboard, looks like a design object.'],
      ['Mobile whiteboard, double-sided, 150 × 100 cm, on lockable castors', '349.00', 'The board rotates 360° and locks in any position.'],
      ['Flipchart easel, tripod, magnetic, height-adjustable', '119.00', 'Fits all common flipchart pads with universal hooks.'],
      ['Cork notice board, 90 × 60 cm, aluminium frame', '39.90', 'Self-healing natural cork for pins.'],
      ['Board magnets, Ø 30 mm, assorted colours, pack of 10', '5.49', undefined, { unit: 'PK' }],
      ['Whiteboard cleaning spray, 250 ml', '4.95', 'Removes stubborn marker residue & fingerprints.', { unit: 'BO' }],
      ['Whiteboard starter kit: 4 markers, eraser, 10 magnets & cleaner', '19.90', undefined, { unit: 'SET' }],
    ],
  },
  {
    category: 'Presentation boards', unspsc: '14111514', unit: 'PK', code: 'FP',
    about: 'Flipchart pads with perforated, 6-hole punched sheets of 80 g/m² paper.',
    extras: ['Markers do not bleed through.'],
    items: [
      ['Flipchart pads, 68 × 99 cm, plain, 20 sheets, pack of 5', '24.90'],
      ['Flipchart pads, 68 × 99 cm, squared 25 mm, 20 sheets, pack of 5', '27.90'],
    ],
  },
  {
    category: 'Presentation boards', unspsc: '44111912', unit: 'EA', code: 'ER',
    about: 'Magnetic whiteboard eraser with replaceable felt layers.',
    extras: ['Peel off a used layer for a fresh surface.'],
    items: [['Whiteboard eraser, magnetic, with 10 replaceable felt layers', '4.49']],
  },
  {
    category: 'Presentation boards', unspsc: '44121708', unit: 'SET', code: 'WM',
    about: 'Low-odour dry-erase markers for whiteboards and flipcharts.',
    extras: ['Ink does not dry out for days with the cap off.'],
    items: [
      ['Whiteboard markers, bullet tip, set of 4 (black, blue, red, green)', '5.95'],
      ['Flipchart markers, chisel tip, set of 4', '6.49'],
      ['Whiteboard markers, bullet tip, black, box of 10', '11.90', undefined, { unit: 'BX' }],
    ],
  },
  {
    category: 'Presentation boards', unspsc: '45111609', unit: 'EA', code: 'PJ',
    about: 'Full HD projector for meeting rooms with a quiet, long-life lamp.',
    extras: ['Up to 6,000 hours lamp life in eco mode.'],
    items: [['Projector, full HD 1080p, 4,000 lumens, HDMI', '649.00']],
  },
];

// ---------------------------------------------------------------------------------------------

/**
 * The demo catalog: same seed, same catalog. Products come in category order with SKUs
 * KP-10001, KP-10002, …; the seed varies prices (±6 %), manufacturers, part numbers and stock.
 */
export function generateDemoCatalog(seed: number = DEFAULT_DEMO_SEED): DemoProduct[] {
  const rng = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

  const products: DemoProduct[] = [];
  let next = 10001;
  for (const category of DEMO_CATEGORIES) {
    const info = CATEGORY_INFO[category];
    for (const family of FAMILIES.filter((f) => f.category === category)) {
      // One manufacturer per product line, as in a real assortment.
      const maker = pick(info.makers);
      const series = int(100, 989);
      // One price move per line, so colour variants of the same article keep the same price.
      const percent = int(-6, 6);
      family.items.forEach(([name, basePrice, detail, options], index) => {
        const sentences = [family.about, detail ?? pick(family.extras)];
        if (rng() < 0.5) sentences.push(pick(info.closings));
        const price = options?.fixedPrice ? basePrice : varyPrice(basePrice, percent);
        const { stock, leadTimeDays } = availability(info, rng);
        products.push({
          sku: `KP-${next++}`,
          name,
          description: sentences.join(' '),
          category,
          manufacturer: maker,
          manufacturerPartId: `${makerCode(maker)}-${family.code}${series}-${String(index + 1).padStart(2, '0')}`,
          unspsc: family.unspsc,
          unit: options?.unit ?? family.unit,
          price,
          currency: 'EUR',
          leadTimeDays,
          stock,
        });
      });
    }
  }
  ensureStockVariety(products, rng);
  return products;
}

/** Stock and lead time: mostly in stock, some low, a few out of stock (longer lead time). */
function availability(info: CategoryInfo, rng: () => number): { stock: number; leadTimeDays: number } {
  const [minLead, maxLead] = info.leadTime;
  const roll = rng();
  const lead = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  if (roll < 0.05) return { stock: 0, leadTimeDays: lead(Math.max(7, minLead), 14) };
  if (roll < 0.13) return { stock: lead(1, 9), leadTimeDays: lead(minLead, maxLead) };
  const [minStock, maxStock] = info.stock;
  return { stock: lead(Math.max(10, minStock), Math.max(10, maxStock)), leadTimeDays: lead(minLead, maxLead) };
}

/** Whatever the seed, the demo shows every stock state at least a few times. */
function ensureStockVariety(products: DemoProduct[], rng: () => number): void {
  const want = 3;
  const count = (test: (p: DemoProduct) => boolean) => products.filter(test).length;
  while (count((p) => p.stock === 0) < want) {
    const p = products[Math.floor(rng() * products.length)]!;
    if (p.stock >= 10) Object.assign(p, { stock: 0, leadTimeDays: 7 + Math.floor(rng() * 8) });
  }
  while (count((p) => p.stock > 0 && p.stock < 10) < want) {
    const p = products[Math.floor(rng() * products.length)]!;
    if (p.stock >= 10) p.stock = 1 + Math.floor(rng() * 9);
  }
}

/**
 * A price moved by `percent`, in decimal arithmetic, then rounded the way shops price: whole
 * euros from 100 €, …x9 cents from 10 €, …x5/…x9 cents from 1 €; smaller prices keep their cents
 * (or their 3–4 decimals).
 */
function varyPrice(base: string, percent: number): string {
  const original = dec(base);
  const places = Math.max(2, original.decimalPlaces());
  const moved = original.times(100 + percent).dividedBy(100);
  if (places > 2 || moved.lessThan(1)) {
    const value = moved.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
    return (value.isZero() ? original : value).toFixed(places);
  }
  // Integer cents from here on.
  let cents = moved.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  const roundTo = (step: number) => {
    const rest = cents % step;
    cents += rest * 2 >= step ? step - rest : -rest;
  };
  if (cents >= 10000) {
    roundTo(100);
  } else if (cents >= 1000) {
    roundTo(10);
    cents -= 1;
  } else {
    roundTo(5);
    if (cents % 10 === 0) cents -= 1; // …x0 → …x9
  }
  return dec(cents).dividedBy(100).toFixed(2);
}

/** "Café Colombe" → "CAF": three ASCII letters for part numbers. */
function makerCode(maker: string): string {
  return maker
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 3)
    .toUpperCase();
}
