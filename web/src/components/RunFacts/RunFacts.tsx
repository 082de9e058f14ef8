import type { Descriptor, Source } from '@shelf/contract';
import { formatDateTime } from '../../lib/format';

function SourceLine({ source }: { source: Source }) {
  const when = `${formatDateTime(source.importedAt)} by ${source.importedBy}`;
  switch (source.kind) {
    case 'git':
      return (
        <span>
          Git <span className="font-mono break-all">{source.url}</span> tag <span className="font-mono">{source.tag}</span> (
          <span className="font-mono">{source.commit.slice(0, 10)}</span>), {when}
        </span>
      );
    case 'local':
      return (
        <span>
          Local folder <span className="font-mono break-all">{source.path}</span>, {when}
        </span>
      );
    case 'upload':
      return (
        <span>
          Uploaded <span className="font-mono break-all">{source.fileName}</span>, {when}
        </span>
      );
  }
}

/** Where an item version comes from and what its job may use. */
export function RunFacts({ descriptor }: { descriptor: Descriptor }) {
  const { manifest } = descriptor;
  return (
    <dl className="muted grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-xs">
      <dt className="font-semibold">Image</dt>
      <dd className="font-mono break-all">{manifest.runtime.image}</dd>
      <dt className="font-semibold">Network</dt>
      <dd>{manifest.network === 'egress' ? 'Outbound allowed' : 'None'}</dd>
      <dt className="font-semibold">Runs on</dt>
      <dd>{manifest.runsOn?.length ? `workers labelled ${manifest.runsOn.join(', ')}` : 'any worker'}</dd>
      <dt className="font-semibold">Timeout</dt>
      <dd>{manifest.timeout ?? 300} s (capped by the server)</dd>
      <dt className="font-semibold">Source</dt>
      <dd>
        <SourceLine source={descriptor.source} />
      </dd>
      <dt className="font-semibold">Digest</dt>
      <dd className="font-mono break-all" title={descriptor.digest}>
        {descriptor.digest.slice(0, 16)}…
      </dd>
    </dl>
  );
}
