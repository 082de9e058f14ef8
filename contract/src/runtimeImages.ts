/**
 * The runtime images Shelf builds (runtimes/): what SHELF_ALLOWED_IMAGES allows when an operator
 * names nothing else, in the API and every worker alike.
 */
export const defaultAllowedImages = ['shelf/runtime-shell:1', 'shelf/runtime-python:1', 'shelf/runtime-node:1'] as const;
