import type { core } from 'zod';

/** Words for a zod issue and for a found value, shared by config loading and sweep validation. */

export function describeIssue(issue: core.$ZodIssue): string {
  const found = 'input' in issue ? kindOf(issue.input) : 'nothing';
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `missing: expected ${issue.expected}` : `expected ${issue.expected}, found ${found}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, found ${found}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least ' + String(issue.minimum) + ' items' : (issue.inclusive ? '>= ' : '> ') + String(issue.minimum)}, found ${found}`;
    case 'too_big':
      return `expected ${issue.origin === 'array' ? 'at most ' + String(issue.maximum) + ' items' : (issue.inclusive ? '<= ' : '< ') + String(issue.maximum)}, found ${found}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? issue.message : issue.format}, found ${found}`;
    case 'invalid_union':
      // a discriminated union reports the whole mapping as its input: name the discriminator's value
      if ('discriminator' in issue && typeof issue.discriminator === 'string' && issue.input !== null && typeof issue.input === 'object') {
        return `expected ${issue.message}, found ${kindOf((issue.input as Record<string, unknown>)[issue.discriminator])}`;
      }
      return `expected ${issue.message.replace(/^Invalid input:?\s*/i, '') || 'one of the allowed forms'}, found ${found}`;
    default:
      return issue.message;
  }
}

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list ${clip(JSON.stringify(v), 40)}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v.length > SHOWN ? `a string of ${v.length} characters, ${clip(JSON.stringify(v), SHOWN)}` : JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

// A message quotes the start of a value, never all of it: a 1 MB scalar, or a whole file read through
// `extends` (/etc/passwd), would otherwise be echoed to the terminal and into logs.
const SHOWN = 60;

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
