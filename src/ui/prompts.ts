import { checkbox, confirm, input, select } from '@inquirer/prompts';

/** Streams the prompts read and write; tests pass their own. */
export interface PromptIO {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** The prompts pyro uses, behind one seam so commands stay testable. */
export interface Prompts {
  text(message: string, opts?: { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  confirm(message: string, def?: boolean): Promise<boolean>;
  choose<T extends string>(message: string, choices: { value: T; name: string }[]): Promise<T>;
  pick(message: string, choices: { value: string; checked: boolean }[]): Promise<string[]>;
}

export function inquirerPrompts(io: PromptIO = {}): Prompts {
  const ctx = io.input || io.output ? { input: io.input, output: io.output } : undefined;
  return {
    text: (message, opts = {}) => input({ message, default: opts.default, validate: opts.validate }, ctx),
    confirm: (message, def = true) => confirm({ message, default: def }, ctx),
    choose: (message, choices) => select({ message, choices }, ctx),
    pick: (message, choices) => checkbox({ message, choices, pageSize: 15 }, ctx),
  };
}
