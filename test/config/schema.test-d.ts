import { describe, expectTypeOf, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';

// Checked by the type checker (vitest's typecheck mode, part of `npm test`), not at run time.
describe('the Config type is inferred from the schema', () => {
  it('has the schema types', () => {
    expectTypeOf<Config['model']['kind']>().toEqualTypeOf<'vae' | 'cvae'>();
    expectTypeOf<Config['loss']['beta']>().toEqualTypeOf<number>();
    expectTypeOf<Config['data']['trainLimit']>().toEqualTypeOf<number | null>();
    expectTypeOf<Config['loss']['warmup']>().toEqualTypeOf<{ epochs: number } | { steps: number } | null>();
    expectTypeOf<Config['loss']['freeBits']>().toEqualTypeOf<number | null>();
    expectTypeOf<Config['train']['adam']['variant']>().toEqualTypeOf<'pytorch' | 'iwae-code'>();
    expectTypeOf<Config['train']['reduction']>().toEqualTypeOf<'mean' | 'sum'>();
  });
});
