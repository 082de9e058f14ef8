/**
 * Imports a validator module from the API. Kept apart so tests, which have no server to import
 * from, can hand the form a module of their own.
 */
export function importValidatorModule(url: string): Promise<unknown> {
  // The URL is only known at run time; Vite must leave it to the browser.
  return import(/* @vite-ignore */ url);
}
