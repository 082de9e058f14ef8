/** A job whose inputs would make its submitter's stored inputs pass their quota. */
export class InputQuotaError extends Error {
  constructor(
    readonly usedBytes: number,
    readonly inputBytes: number,
    readonly limitBytes: number,
  ) {
    super(`stored job inputs would pass the per-user quota: ${usedBytes} bytes used, ${inputBytes} more, ${limitBytes} allowed`);
    this.name = 'InputQuotaError';
  }
}
