import type { Config } from '../../../config/schema.js';
import { familyOf } from '../../../models/families/index.js';
import type { NoteSubject } from '../../../models/family.js';

/**
 * What a figure must say about the run's model family, '' when nothing: two stochastic layers, say, draw
 * z, the top layer, and decode through the mean of p(h1 | z).
 */
export function familyNote(config: Config, about: NoteSubject): string {
  return familyOf(config.model).note(config.model, about);
}
