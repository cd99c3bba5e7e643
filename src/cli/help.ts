/** What the help texts share: lists from the registries of readers and objects, and repeatable options. */
import type { Command } from 'commander';
import { pluralList } from '../objects/index.js';
import { inputsHelp, readerNames, readerSettings } from '../source/index.js';
import { orList } from '../text.js';

export const collect = (value: string, prev: string[] = []) => [...prev, value];

// Lists in the help, from the registries of readers and objects.
export const INPUTS = inputsHelp();
export const FORMAT_HELP = `${orList(readerNames())} (default: from the file's extension, or a URL's scheme)`;
export const APPEND_ONLY = pluralList((o) => o.kind === 'append');

/** The options only some readers take (CSV's --delimiter), as the readers declare them. */
export function readerOptions(c: Command): Command {
  for (const s of readerSettings()) c.option(`${s.flag} <${s.arg ?? s.kind}>`, s.help);
  return c;
}
