import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, type ReactNode } from "react";
import type { LiveState } from "./live/live-invalidation.ts";
import { AccountPage } from "./pages/account-page.tsx";
import { ImportPage } from "./pages/admin/import-page.tsx";
import { OpsPage } from "./pages/admin/ops-page.tsx";
import { ProductEditorPage } from "./pages/admin/product-editor-page.tsx";
import { CataloguePage } from "./pages/catalogue-page.tsx";
import { LoginPage } from "./pages/login-page.tsx";
import { ProductPage } from "./pages/product-page.tsx";
import { RegisterPage } from "./pages/register-page.tsx";
import { meQuery } from "./queries/session-queries.ts";
import { Link } from "./router/link.tsx";
import { useLocation } from "./router/router.ts";
import { matchRoute, paths, type Route } from "./router/routes.ts";

/**
 * Moves focus to the page's h1, waiting for it while the page is still loading its data (a
 * few seconds at most); meanwhile <main> holds the focus, so keyboard users start there.
 */
function focusHeadingOf(main: HTMLElement | null): (() => void) | undefined {
  if (!main) return undefined;
  const focus = () => {
    const heading = main.querySelector<HTMLElement>("h1");
    if (heading) heading.focus();
    return heading !== null;
  };
  if (focus()) return undefined;
  main.focus();
  const observer = new MutationObserver(() => {
    if (focus()) observer.disconnect();
  });
  observer.observe(main, { childList: true, subtree: true });
  const timer = setTimeout(() => observer.disconnect(), 5000);
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}

function page(route: Route): ReactNode {
  switch (route.page) {
    case "catalogue":
      return <CataloguePage />;
    case "product":
      return <ProductPage id={route.id} />;
    case "login":
      return <LoginPage />;
    case "register":
      return <RegisterPage />;
    case "account":
      return <AccountPage />;
    case "admin-new":
      return <ProductEditorPage />;
    case "admin-edit":
      return <ProductEditorPage id={route.id} />;
    case "admin-import":
      return <ImportPage />;
    case "admin-ops":
      return <OpsPage />;
    case "not-found":
      return (
        <section>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <Link href={paths.catalogue}>Back to the catalogue</Link>
          </p>
        </section>
      );
  }
}

/**
 * The shell: header with navigation, the page for the current URL, and focus management: after
 * an in-app navigation, focus moves to the new page's heading, as a full page load would put a
 * screen reader at the top of the new page.
 */
export function App({ live }: { live: LiveState }) {
  const location = useLocation();
  const route = matchRoute(location.path);
  const user = useQuery(meQuery()).data;
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    return focusHeadingOf(main.current);
  }, [location.path]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href={paths.catalogue} className="brand">
          strata
        </Link>
        <nav aria-label="Main">
          <Link href={paths.catalogue}>Catalogue</Link>
          {user?.role === "admin" && (
            <>
              <Link href={paths.adminNew}>New product</Link>
              <Link href={paths.adminImport}>Import</Link>
              <Link href={paths.adminOps}>Operations</Link>
            </>
          )}
          {user ? (
            <Link href={paths.account}>Account ({user.email})</Link>
          ) : (
            <>
              <Link href={paths.login}>Log in</Link>
              <Link href={paths.register}>Register</Link>
            </>
          )}
        </nav>
        <span className={`live live-${live}`} title="live updates from the server">
          {live === "live" ? "● live" : "○ connecting"}
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {page(route)}
      </main>
    </>
  );
}
