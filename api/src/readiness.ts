/** A named dependency check for /readyz; it throws when the dependency is not reachable. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}
