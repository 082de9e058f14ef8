import { Outlet } from 'react-router-dom';
import { ThemeToggle } from '../ThemeToggle/ThemeToggle';

/** The frame of the pages anyone may open (sign-in, first set-up): no navigation, no session needed. */
export function PublicLayout() {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white/90 dark:border-slate-800 dark:bg-slate-900/90">
        <div className="mx-auto flex max-w-6xl items-center gap-4 px-4 py-2.5">
          <span className="flex items-center gap-2 text-lg font-bold tracking-tight">
            <img src="/favicon.svg" alt="" className="size-6" />
            Shelf
          </span>
          <div className="ml-auto">
            <ThemeToggle />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-md flex-1 px-4 py-10 focus:outline-none">
        <Outlet />
      </main>
    </div>
  );
}
