import { useState, type FormEvent } from "react";
import { ApiError } from "../api/api-error.ts";
import { ErrorMessage } from "../components/error-message.tsx";
import { Field } from "../components/field.tsx";
import { useSessionActions } from "../queries/use-session-actions.ts";
import { Link } from "../router/link.tsx";
import { navigate } from "../router/router.ts";
import { paths } from "../router/routes.ts";

export function RegisterPage() {
  const { register } = useSessionActions();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const fields = register.error instanceof ApiError ? register.error.fieldErrors() : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate({ email, password }, { onSuccess: () => navigate(paths.account) });
  };

  return (
    <section className="narrow">
      <h1 tabIndex={-1}>Create an account</h1>
      <form onSubmit={submit} noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          error={fields.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters. A few unrelated words make a good one."
          value={password}
          error={fields.password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorMessage
          error={register.error}
          overrides={{ 409: "An account with this email already exists. Log in instead?" }}
        />
        <button type="submit" disabled={register.isPending}>
          {register.isPending ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Already registered? <Link href={paths.login}>Log in</Link>
      </p>
    </section>
  );
}
