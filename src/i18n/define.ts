/**
 * A namespace of messages: Chinese first, English with exactly the same
 * keys (the types reject a missing or extra key). `{name}` marks a parameter.
 */
export type MessageTable = Readonly<Record<string, string>>;

export interface Namespace<K extends string> {
  'zh-CN': Readonly<Record<K, string>>;
  en: Readonly<Record<K, string>>;
}

export function defineMessages<K extends string>(zh: Readonly<Record<K, string>>, en: NoInfer<Readonly<Record<K, string>>>): Namespace<K> {
  return { 'zh-CN': zh, en };
}
