import picomatch from 'picomatch';
import { PermanentInfraError } from './errors.js';

/**
 * Refuses an image outside this worker's SHELF_ALLOWED_IMAGES. The API checked it at import,
 * but the version may predate a narrower list, or this worker may have a stricter one than
 * the API; retrying cannot change the answer.
 */
export function assertImageAllowed(image: string, allowedImages: readonly string[]): void {
  if (allowedImages.some((pattern) => picomatch.isMatch(image, pattern, { dot: true }))) return;
  throw new PermanentInfraError(`image ${image} is not allowed on this worker (SHELF_ALLOWED_IMAGES: ${allowedImages.join(', ')})`);
}
