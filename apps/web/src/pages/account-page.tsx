import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "../components/error-message.tsx";
import { meQuery } from "../queries/session-queries.ts";
import { useSessionActions } from "../queries/use-session-actions.ts";
import { Link } from "../router/link.tsx";
import { navigate } from "../router/router.ts";
import { paths } from "../router/routes.ts";

export function AccountPage() {
  const me = useQuery(meQuery());
  const { logout } = useSessionActions();

  if (me.isPending) return <p className="status">Loading…</p>;
  if (!me.data) {
    return (
      <section className="narrow">
        <h1 tabIndex={-1}>Account</h1>
        <ErrorMessage error={me.error} />
        <p>
          You are not logged in. <Link href={`${paths.login}?next=${paths.account}`}>Log in</Link>
        </p>
      </section>
    );
  }
  const user = me.data;
  return (
    <section className="narrow">
      <h1 tabIndex={-1}>Account</h1>
      <dl className="facts">
        <dt>Email</dt>
        <dd data-testid="account-email">{user.email}</dd>
        <dt>Role</dt>
        <dd>{user.role === "admin" ? "Administrator" : "Customer"}</dd>
        <dt>Member since</dt>
        <dd>{new Date(user.createdAt).toLocaleDateString("en", { dateStyle: "long" })}</dd>
      </dl>
      <ErrorMessage error={logout.error} />
      <button
        type="button"
        disabled={logout.isPending}
        onClick={() => logout.mutate(undefined, { onSettled: () => navigate(paths.catalogue) })}
      >
        Log out
      </button>
    </section>
  );
}
