/**
 * Text a person reads and compares in the admin (names, identities, user names): characters that
 * cannot be seen, or that turn the text around, make two different values look the same
 * ("AN01\u200B" and "AN01") or show one as another (U+202E displays "ACME\u202Elanif" as
 * "ACMEfinal"). Joiners that scripts and emoji need (U+200C, U+200D) are allowed.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HIDDEN = /[\u200b\u200e\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Whether the text has a C0 or C1 control character (tab and line breaks included). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** The first invisible or text-direction character as `U+202E`, or undefined. */
export function hiddenCharacter(text: string): string | undefined {
  const m = HIDDEN.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}
