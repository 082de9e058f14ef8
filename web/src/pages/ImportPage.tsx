import { useSearchParams } from 'react-router-dom';
import { BundleUpload } from '../components/BundleUpload/BundleUpload';
import { GitImport } from '../components/GitImport/GitImport';
import { ImportsList } from '../components/ImportsList/ImportsList';
import { LocalImport } from '../components/LocalImport/LocalImport';
import { Tabs } from '../components/Tabs/Tabs';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

const tabIds = ['local', 'git', 'bundle'];

export default function ImportPage() {
  useDocumentTitle('Import');
  const [params, setParams] = useSearchParams();
  const tab = tabIds.includes(params.get('tab') ?? '') ? params.get('tab')! : 'local';
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Import</h1>
        <p className="muted mt-1 text-sm">Add a catalog item version. Every import is validated first; nothing invalid is stored.</p>
      </div>
      <section className="card mb-8 p-5">
        <Tabs
          label="Import source"
          selected={tab}
          onSelect={(id) => setParams({ tab: id }, { replace: true })}
          tabs={[
            { id: 'local', label: 'Local folder', panel: <LocalImport /> },
            { id: 'git', label: 'Git repository', panel: <GitImport /> },
            { id: 'bundle', label: 'Bundle upload', panel: <BundleUpload /> },
          ]}
        />
      </section>
      <section aria-labelledby="recent-imports">
        <h2 id="recent-imports" className="mb-3 text-lg font-semibold">
          Recent imports
        </h2>
        <ImportsList />
      </section>
    </>
  );
}
