import type { ValidatorType } from '@rjsf/utils';
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { loadValidator, noBrowserValidation } from './validator';

export type ItemValidator =
  | { state: 'loading' }
  | { state: 'ready'; validator: ValidatorType }
  | { state: 'failed'; validator: ValidatorType; error: unknown };

/**
 * The validator of the item version the page shows. The item and the version the user picked are
 * in the page's route; the page's descriptor (loaded by the page already) turns `latest`
 * into a concrete version — a browser keeps a module it imported for the page's whole life, so a
 * module imported as `latest` would outlive the next publish.
 */
export function useItemValidator(schema: Record<string, unknown>): ItemValidator {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const requested = params.get('version') || 'latest';
  const descriptor = useQuery({
    queryKey: queryKeys.descriptor(id, requested),
    queryFn: ({ signal }) => api.descriptor(id, requested, signal),
    enabled: id !== '',
  });
  const version = descriptor.data?.manifest.version;
  const loaded = useQuery({
    queryKey: queryKeys.validator(id, version ?? ''),
    queryFn: () => loadValidator(api.validatorModuleUrl(id, version!), schema),
    enabled: version !== undefined,
    staleTime: Infinity,
    // Without it the form still works and the server still checks: no reason to keep the user waiting.
    retry: false,
  });
  if (loaded.data) return { state: 'ready', validator: loaded.data };
  const error = loaded.error ?? descriptor.error;
  if (error || id === '') return { state: 'failed', validator: noBrowserValidation, error: error ?? new Error('no item in the page address') };
  return { state: 'loading' };
}
