import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { meQuery } from "../../queries/session-queries.ts";
import { Link } from "../../router/link.tsx";
import { useLocation } from "../../router/router.ts";
import { paths } from "../../router/routes.ts";

/** Admin pages say why they are empty instead of failing with 403 errors. */
export function RequireAdmin({ title, children }: { title: string; children: ReactNode }) {
  const me = useQuery(meQuery());
  const { href } = useLocation();
  if (me.isPending) return <p className="status">Loading…</p>;
  if (me.data?.role === "admin") return <>{children}</>;
  return (
    <section className="narrow">
      <h1 tabIndex={-1}>{title}</h1>
      {me.data ? (
        <p>This page needs an administrator account.</p>
      ) : (
        <p>
          Please <Link href={`${paths.login}?next=${encodeURIComponent(href)}`}>log in</Link> as an
          administrator.
        </p>
      )}
    </section>
  );
}
