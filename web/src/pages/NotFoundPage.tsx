import { Link } from 'react-router-dom';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

export default function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <div className="card p-8 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="muted mt-2 text-sm">
        There is nothing here.{' '}
        <Link to="/" className="link">
          Back to the catalog
        </Link>
        .
      </p>
    </div>
  );
}
