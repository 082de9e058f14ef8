import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { formatBytes } from '@shelf/contract';
import { FileDrop } from '../FileDrop/FileDrop';
import { ImportOutcome } from '../ImportOutcome/ImportOutcome';
import { ProgressBar } from '../ProgressBar/ProgressBar';

const bundleName = /\.(tar\.gz|tgz)$/i;

/** Uploads a .tar.gz bundle with a progress bar. */
export function BundleUpload() {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const abort = useRef<AbortController | null>(null);
  const upload = useMutation({
    mutationFn: (f: File) => {
      abort.current = new AbortController();
      setProgress(0);
      return api.uploadBundle(f, setProgress, abort.current.signal);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.catalog() });
      void client.invalidateQueries({ queryKey: queryKeys.imports() });
    },
  });
  const wrongType = file !== null && !bundleName.test(file.name);
  const choose = (f: File) => {
    upload.reset();
    setFile(f);
  };

  return (
    <div className="flex flex-col gap-4">
      <FileDrop accept=".tar.gz,.tgz,application/gzip" onFile={choose} disabled={upload.isPending} />
      {file && (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span>
            <span className="font-mono break-all">{file.name}</span> <span className="muted">({formatBytes(file.size)})</span>
          </span>
          <button type="button" className="btn-primary" disabled={upload.isPending || wrongType} onClick={() => upload.mutate(file)}>
            {upload.isPending ? 'Uploading…' : 'Upload bundle'}
          </button>
          {upload.isPending && (
            <button type="button" className="btn-secondary" onClick={() => abort.current?.abort()}>
              Cancel upload
            </button>
          )}
        </div>
      )}
      {wrongType && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          A bundle is a gzip-compressed tar archive named .tar.gz or .tgz.
        </p>
      )}
      {(upload.isPending || progress > 0) && !upload.isError && (
        <div>
          <ProgressBar percent={progress * 100} label="Upload progress" />
          <p className="muted mt-1 text-xs tabular-nums" aria-live="polite">
            {progress < 1 ? `Uploading… ${Math.round(progress * 100)}%` : upload.isPending ? 'Uploaded; validating…' : 'Uploaded.'}
          </p>
        </div>
      )}
      {upload.error instanceof DOMException && upload.error.name === 'AbortError' ? (
        <p className="muted text-sm">Upload cancelled.</p>
      ) : (
        <ImportOutcome result={upload.data} error={upload.error} />
      )}
    </div>
  );
}
