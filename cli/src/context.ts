import type { Command } from 'commander';
import { resolveTarget } from './config.js';
import { Output } from './output.js';
import { ShelfClient } from './shelfClient.js';

/** The options every command has (declared once on the program). */
export interface GlobalOptions {
  json?: boolean;
}

/** The output of the command being run, honouring `--json` wherever it was given. */
export function outputOf(cmd: Command): Output {
  return new Output(Boolean((cmd.optsWithGlobals() as GlobalOptions).json));
}

/** A client for the Shelf of the stored login or SHELF_URL/SHELF_TOKEN. */
export async function connect(): Promise<ShelfClient> {
  return new ShelfClient(await resolveTarget());
}
