import { describe, expectTypeOf, it } from 'vitest';
import type { Objective } from '../../src/config/loss-schema.js';
import { OBJECTIVE_TRAITS, type ObjectiveTraits } from '../../src/config/objective.js';
import type { Config } from '../../src/config/schema.js';

describe('objectives are handled through tables keyed by the enum', () => {
  it('the schema enum is the Objective type, and the traits table has a row for every member and no other', () => {
    expectTypeOf<Config['loss']['objective']>().toEqualTypeOf<Objective>();
    expectTypeOf<keyof typeof OBJECTIVE_TRAITS>().toEqualTypeOf<Objective>();
  });

  it('a table that misses a member does not compile: a new member fails until every table handles it', () => {
    const elboOnly = { elbo: OBJECTIVE_TRAITS.elbo };
    // @ts-expect-error the iwae row is missing
    const check = elboOnly satisfies Record<Objective, ObjectiveTraits>;
    expectTypeOf(check).toHaveProperty('elbo');
  });
});
