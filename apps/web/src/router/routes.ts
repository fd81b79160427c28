/** Every page of the app, parsed from a path. */
export type Route =
  | { page: "catalogue" }
  | { page: "product"; id: number }
  | { page: "login" }
  | { page: "register" }
  | { page: "account" }
  | { page: "admin-new" }
  | { page: "admin-edit"; id: number }
  | { page: "admin-import" }
  | { page: "admin-ops" }
  | { page: "not-found" };

const ID = /^[1-9][0-9]{0,15}$/;

export function matchRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean);
  const [a, b, c, d] = parts;
  if (parts.length === 0) return { page: "catalogue" };
  if (a === "products" && b && ID.test(b) && parts.length === 2)
    return { page: "product", id: Number(b) };
  if (parts.length === 1 && (a === "login" || a === "register" || a === "account"))
    return { page: a };
  if (a === "admin") {
    if (b === "products" && c === "new" && parts.length === 3) return { page: "admin-new" };
    if (b === "products" && c && ID.test(c) && d === "edit" && parts.length === 4)
      return { page: "admin-edit", id: Number(c) };
    if (b === "import" && parts.length === 2) return { page: "admin-import" };
    if (b === "ops" && parts.length === 2) return { page: "admin-ops" };
  }
  return { page: "not-found" };
}

export const paths = {
  catalogue: "/",
  product: (id: number) => `/products/${id}`,
  login: "/login",
  register: "/register",
  account: "/account",
  adminNew: "/admin/products/new",
  adminEdit: (id: number) => `/admin/products/${id}/edit`,
  adminImport: "/admin/import",
  adminOps: "/admin/ops",
};
