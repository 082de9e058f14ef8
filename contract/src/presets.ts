import type { Actor } from './auth.js';

/** A named set of inputs for an item's form (SPEC §9). Never holds secret inputs. */
export interface Preset {
  id: string;
  itemId: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Shared with everyone who may run the item; otherwise its owner's alone. */
  shared: boolean;
  owner: Actor;
  createdAt: string;
  updatedAt: string;
}
