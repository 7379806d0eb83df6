// Types for the browser module i18n.js, so server-side tests can import it.
export type Translate = (key: string, values?: Record<string, string | number>) => string;
export const LOCALES: Record<string, string>;
export function createTranslator(
  dictionary: Record<string, Record<string, string>>,
  language: string,
  fallback?: string,
): Translate;
export function pickLanguage(
  languages: readonly string[],
  defaultLanguage: string,
  search: string,
  saved: string | null,
): string;
