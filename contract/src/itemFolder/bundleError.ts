/**
 * A bundle or item folder that breaks the safety rules (links, traversal, caps, a corrupt
 * archive). Thrown by the folder and bundle code both the API and the CLI run; the API answers
 * it with 422 `BUNDLE_INVALID` (its `entry` in `details`), the CLI lists it as a problem.
 */
export class BundleError extends Error {
  constructor(
    message: string,
    /** The entry path it is about, when it is about one. */
    readonly entry?: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}
