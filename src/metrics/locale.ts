// A plugin's name and description in a locale. The document's own `name` and
// `description` are English; `translations.zh` holds the Chinese ones (every
// built-in has them, a company's plugin may). A locale without a translation
// falls back to English, a translation without a description to the English one.
import type { Plugin, TranslatedLocale } from "./plugin-schema.js";

export type Locale = "en" | TranslatedLocale;

export function localName(plugin: Plugin, locale: Locale = "en"): string {
  return locale === "en" ? plugin.name : (plugin.translations?.[locale]?.name ?? plugin.name);
}

export function localDescription(plugin: Plugin, locale: Locale = "en"): string {
  return locale === "en" ? plugin.description : (plugin.translations?.[locale]?.description ?? plugin.description);
}
