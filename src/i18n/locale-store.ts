/**
 * The interface language. Chinese first. The choice is mirrored to
 * localStorage so the first paint is already in the right language; the app
 * shell also keeps it in the IndexedDB settings (the durable copy).
 */
import { create } from 'zustand';
import { isLocale, type Locale } from '../domain/config/types';

export const LOCALE_HINT_KEY = 'medfact-lens.locale';

function readHint(): Locale | null {
  try {
    const value = globalThis.localStorage?.getItem(LOCALE_HINT_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null; // storage disabled: fall back to the default
  }
}

function writeHint(locale: Locale): void {
  try {
    globalThis.localStorage?.setItem(LOCALE_HINT_KEY, locale);
  } catch {
    /* storage disabled: the choice lasts for this session */
  }
}

interface LocaleState {
  locale: Locale;
  /** Whether the user (not a default) picked the current locale. */
  chosen: boolean;
  setLocale: (locale: Locale) => void;
  /** Applies a default (deployment config) unless the user has chosen. */
  applyDefault: (locale: Locale) => void;
  reset: () => void;
}

const hint = readHint();

export const useLocaleStore = create<LocaleState>()((set, get) => ({
  locale: hint ?? 'zh-CN',
  chosen: hint !== null,
  setLocale: (locale) => {
    writeHint(locale);
    set({ locale, chosen: true });
  },
  applyDefault: (locale) => {
    if (!get().chosen) set({ locale });
  },
  reset: () => set({ locale: 'zh-CN', chosen: false }),
}));
