import { useState, type FormEvent } from "react";
import { ErrorMessage } from "../components/error-message.tsx";
import { Field } from "../components/field.tsx";
import { useSessionActions } from "../queries/use-session-actions.ts";
import { Link } from "../router/link.tsx";
import { navigate, useLocation } from "../router/router.ts";
import { paths } from "../router/routes.ts";

/** Only same-app paths may be a `next`: never an open redirect to another site. */
export function safeNext(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : paths.account;
}

export function LoginPage() {
  const { search } = useLocation();
  const { login } = useSessionActions();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email, password }, { onSuccess: () => navigate(safeNext(search.get("next"))) });
  };

  return (
    <section className="narrow">
      <h1 tabIndex={-1}>Log in</h1>
      <form onSubmit={submit} noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorMessage
          error={login.error}
          overrides={{
            400: "Enter your email address and password.",
            401: "That email and password do not match an account.",
            429: "Too many login attempts.",
          }}
        />
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? "Logging in…" : "Log in"}
        </button>
      </form>
      <p>
        No account yet? <Link href={paths.register}>Register</Link>
      </p>
    </section>
  );
}
