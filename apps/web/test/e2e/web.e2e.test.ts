import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CategoryList, ProductList, Session, type Product } from "@strata/contracts";
import { makeImage } from "../../../../test/support/images.ts";
import { frontEndSecurityHeaders } from "../../../../stack/src/nginx/front-end-headers.ts";
import { startTestStack, type TestStack } from "../../../../stack/test/support/test-stack.ts";
import { entriesSince, lineCount } from "./support/access-log.ts";
import { launchChromium } from "./support/browser.ts";
import { screenshot, withFailureScreenshots } from "./support/screenshots.ts";

/**
 * The front end in Debian's Chromium against the real stack behind nginx: two API instances,
 * PostgreSQL, both Redis, s3rver, and the web build served by nginx. One stack and one browser
 * for the whole file; each test opens its own contexts (separate cookies and HTTP caches).
 */
let test: TestStack;
let browser: Browser;
let url: string;
const contexts: BrowserContext[] = [];
/** What Chromium reported as blocked by the Content-Security-Policy, in any page. */
const cspViolations: string[] = [];

beforeAll(async () => {
  test = await startTestStack({
    instances: 2,
    // 120 products: five pages of 24, so the catalogue paginates; one worker for the
    // thumbnails and the CSV import.
    env: { STRATA_PRODUCTS: "120", STRATA_WORKERS: "1" },
  });
  url = test.stack.url;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await test?.stop();
}, 120_000);

/** A page in a context of its own; `init` runs in the page before any of its scripts. */
async function newPage(init?: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: 1200, height: 900 },
  });
  contexts.push(context);
  // Chromium's console text for some violations (an eval attempt) does not name the policy;
  // the page's own violation event always fires, so it is reported in words that do.
  await context.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (e) => console.error("Content Security Policy violation: " + e.violatedDirective + " " + e.blockedURI + " at " + e.sourceFile + ":" + e.lineNumber));`,
  });
  if (init) await context.addInitScript({ content: init });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.setDefaultTimeout(20_000);
  return page;
}

// Every flow (scripts, styles, images, fetch, the event stream, uploads) runs under the
// policy nginx sends: a violation anywhere fails the test that caused it.
afterEach(() => {
  expect(cspViolations.splice(0)).toEqual([]);
});

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect.poll(() => page.getByTestId("account-email").textContent()).toBe(email);
}

async function firstProducts(limit: number): Promise<Product[]> {
  const response = await fetch(`${url}/api/products?limit=${limit}`);
  return ProductList.parse(await response.json()).items;
}

async function adminToken(): Promise<string> {
  const { email, password } = test.stack.admin;
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return Session.parse(await response.json()).token;
}

const cards = (page: Page) => page.locator("li.card");

describe("the web front end in Chromium, through nginx", () => {
  it("browses, searches, filters by category and paginates with infinite scroll", async () => {
    const page = await newPage();
    await withFailureScreenshots(
      "browse",
      () => ({ page }),
      async () => {
        await page.goto("/");
        await expect.poll(() => cards(page).count()).toBe(24);
        await screenshot(page, "page-catalogue");

        // Scrolling to the end loads the next keyset page.
        await page.locator("li.card").last().scrollIntoViewIfNeeded();
        await page.mouse.wheel(0, 5000);
        await expect.poll(() => cards(page).count()).toBeGreaterThanOrEqual(48);

        // Search for a word of an existing product's name.
        const [sample] = await firstProducts(1);
        const word =
          sample!.name.split(/\s+/).find((w) => /^[A-Za-z]{4,}$/.test(w)) ?? sample!.name;
        await page.getByLabel("Search products").fill(word);
        await page.getByLabel("Search products").press("Enter");
        await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe(word);
        await expect.poll(() => page.locator(".status").textContent()).toMatch(/Showing \d+/);
        const names = await page.locator(".card-name").allTextContents();
        expect(names.length).toBeGreaterThan(0);

        // Category filter: every card shown belongs to the chosen category.
        await page.goto("/");
        const select = page.getByLabel("Category");
        await expect.poll(() => select.locator("option").count()).toBeGreaterThan(1);
        const option = select.locator("option").nth(1);
        const categoryName = (await option.textContent())!;
        await select.selectOption({ index: 1 });
        await expect.poll(() => new URL(page.url()).searchParams.get("category")).toBeTruthy();
        await expect
          .poll(async () => {
            const categories = await page.locator(".card-meta .muted").allTextContents();
            return categories.length > 0 && categories.every((c) => c === categoryName);
          })
          .toBe(true);

        // A product page, reached by keyboard: focus moves to its heading after navigation.
        await page.locator("li.card a").first().focus();
        await page.keyboard.press("Enter");
        await expect.poll(() => page.evaluate("document.activeElement?.tagName")).toBe("H1");
        await screenshot(page, "page-product");
      },
    );
  }, 120_000);

  it("logs in, shows the account, and logs out", async () => {
    const page = await newPage();
    await withFailureScreenshots(
      "login",
      () => ({ page }),
      async () => {
        const { email, password } = test.stack.admin;
        await page.goto("/login");
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password").fill("not the password at all");
        await page.getByRole("button", { name: "Log in" }).click();
        await expect
          .poll(() => page.getByRole("alert").textContent())
          .toContain("do not match an account");
        await screenshot(page, "page-login-error");

        await logIn(page, email, password);
        await screenshot(page, "page-account");
        await expect.poll(() => page.getByRole("link", { name: "Operations" }).count()).toBe(1);

        await page.getByRole("button", { name: "Log out" }).click();
        await expect.poll(() => page.getByRole("link", { name: "Log in" }).count()).toBe(1);
        await page.goto("/account");
        await expect.poll(() => page.getByText("You are not logged in").count()).toBe(1);
      },
    );
  }, 60_000);

  it("shows an admin's edit in a second browser without a reload, and resolves a 412", async () => {
    const [product] = await firstProducts(1);
    const id = product!.id;
    const viewer = await newPage();
    const admin = await newPage();
    await withFailureScreenshots(
      "live-edit",
      () => ({ viewer, admin }),
      async () => {
        await viewer.goto(`/products/${id}`);
        await expect
          .poll(() => viewer.getByTestId("product-name").textContent())
          .toBe(product!.name);
        await expect.poll(() => viewer.locator(".live").textContent()).toContain("live");

        await logIn(admin, test.stack.admin.email, test.stack.admin.password);
        await admin.goto(`/admin/products/${id}/edit`);
        const newName = `Edited in the browser ${Date.now()}`;
        await admin.getByLabel("Name").fill(newName);
        await admin.getByRole("button", { name: "Save changes" }).click();
        await expect.poll(() => admin.getByRole("status").first().textContent()).toContain("Saved");
        await screenshot(admin, "page-admin-edit");

        // The other browser hears of the write over /api/events and refetches: no reload.
        await expect
          .poll(() => viewer.getByTestId("product-name").textContent(), { timeout: 20_000 })
          .toBe(newName);

        // The writer's own product page shows the new name at once (no stale browser copy).
        await admin.getByRole("link", { name: "View in the shop" }).click();
        await expect.poll(() => admin.getByTestId("product-name").textContent()).toBe(newName);

        // Someone else changes the price while the admin's form is open: the save is a 412,
        // the page shows what changed, and "save mine over theirs" succeeds.
        await admin.goto(`/admin/products/${id}/edit`);
        await expect.poll(() => admin.getByLabel("Name").inputValue()).toBe(newName);
        const token = await adminToken();
        const current = await (await fetch(`${url}/api/products/${id}`)).json();
        const competing = await fetch(`${url}/api/products/${id}`, {
          method: "PATCH",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${token}`,
            "if-match": `"${(current as Product).version}"`,
          },
          body: JSON.stringify({ priceCents: 4242 }),
        });
        expect(competing.status).toBe(200);
        await admin.getByLabel("Stock").fill("77");
        await admin.getByRole("button", { name: "Save changes" }).click();
        await expect
          .poll(() =>
            admin.getByRole("heading", { name: "Someone else changed this product" }).count(),
          )
          .toBe(1);
        await expect.poll(() => admin.locator(".conflict").textContent()).toContain("42.42");
        await screenshot(admin, "page-admin-conflict");
        await admin.getByRole("button", { name: /Save my changes over version/ }).click();
        await expect.poll(() => admin.getByRole("status").first().textContent()).toContain("Saved");
        const saved = (await (await fetch(`${url}/api/products/${id}`)).json()) as Product;
        expect(saved.stock).toBe(77);
        expect(saved.priceCents).toBe(4242);
      },
    );
  }, 120_000);

  it("makes no request within staleTime, and a conditional request (304) after it", async () => {
    // Products no other test here writes to.
    const [, , first, second] = await firstProducts(4);
    // Test-only: shortens every staleTime tenfold (apps/web/src/queries/query-timings.ts).
    const page = await newPage('localStorage.setItem("strata.timeScale", "0.1")');
    await withFailureScreenshots(
      "stale-time",
      () => ({ page }),
      async () => {
        const detail = `/api/products/${first!.id}`;
        const requests: string[] = [];
        const statuses: number[] = [];
        page.on("request", (r) => {
          if (new URL(r.url()).pathname === detail) requests.push(r.url());
        });
        page.on("response", (r) => {
          if (new URL(r.url()).pathname === detail) statuses.push(r.status());
        });

        await page.goto(`/products/${first!.id}`);
        await expect.poll(() => page.getByTestId("product-name").textContent()).toBe(first!.name);
        expect(requests).toHaveLength(1);
        const fetchedAt = Date.now();

        // Another product and straight back: within staleTime (6 s here), no request at all.
        // An in-app navigation (the router listens to popstate), not a page load.
        await page.evaluate(
          `history.pushState(null, "", "/products/${second!.id}");` +
            `dispatchEvent(new PopStateEvent("popstate"));`,
        );
        await expect.poll(() => page.getByTestId("product-name").textContent()).toBe(second!.name);
        await page.goBack();
        await expect.poll(() => page.getByTestId("product-name").textContent()).toBe(first!.name);
        expect(Date.now() - fetchedAt).toBeLessThan(6_000);
        expect(requests).toHaveLength(1);

        // After staleTime the revisit refetches, and the browser revalidates: 304, no body.
        const mark = lineCount(test.stack.accessLog);
        await page.waitForTimeout(Math.max(0, fetchedAt + 7_000 - Date.now()));
        await page.goForward();
        await expect.poll(() => page.getByTestId("product-name").textContent()).toBe(second!.name);
        await page.goBack();
        await expect.poll(() => requests.length).toBe(2);
        await expect
          .poll(() =>
            entriesSince(test.stack.accessLog, mark)
              .filter((e) => e.uri === detail)
              .map((e) => e.status),
          )
          .toEqual([304]);
      },
    );
  }, 60_000);

  it("loads content-hashed assets from the browser cache on reload; index.html revalidates", async () => {
    const page = await newPage();
    await withFailureScreenshots(
      "assets",
      () => ({ page }),
      async () => {
        const assetHeaders: Record<string, string>[] = [];
        page.on("response", (r) => {
          if (new URL(r.url()).pathname.startsWith("/assets/")) assetHeaders.push(r.headers());
        });
        const first = await page.goto("/");
        expect(first!.headers()["cache-control"]).toBe("no-cache");
        for (const [name, value] of Object.entries(frontEndSecurityHeaders)) {
          expect(first!.headers()[name.toLowerCase()], name).toBe(value);
        }
        await expect.poll(() => cards(page).count()).toBeGreaterThan(0);
        expect(assetHeaders.length).toBeGreaterThanOrEqual(2);
        for (const headers of assetHeaders) {
          expect(headers["cache-control"]).toBe("public, max-age=31536000, immutable");
          expect(headers["content-security-policy"]).toBe(
            frontEndSecurityHeaders["Content-Security-Policy"],
          );
        }

        const mark = lineCount(test.stack.accessLog);
        await page.reload();
        await expect.poll(() => cards(page).count()).toBeGreaterThan(0);
        // nginx writes a line per request it answered: the page itself, no asset.
        await expect
          .poll(() => entriesSince(test.stack.accessLog, mark).some((e) => e.uri === "/"))
          .toBe(true);
        const after = entriesSince(test.stack.accessLog, mark);
        expect(after.filter((e) => e.uri.startsWith("/assets/"))).toEqual([]);
        expect(after.find((e) => e.uri === "/")!.status).toBe(304);

        // Any app path is the app (SPA fallback), a missing asset is a plain 404.
        const deep = await fetch(`${url}/admin/ops`);
        expect(deep.status).toBe(200);
        expect(await deep.text()).toContain('<div id="root">');
        expect((await fetch(`${url}/assets/missing-0000.js`)).status).toBe(404);
      },
    );
  }, 60_000);

  it("renders the operations view with live numbers", async () => {
    const page = await newPage();
    await withFailureScreenshots(
      "ops",
      () => ({ page }),
      async () => {
        await logIn(page, test.stack.admin.email, test.stack.admin.password);
        await page.goto("/admin/ops");
        const rows = page.getByTestId("ops-instances").locator("tbody tr");
        await expect.poll(() => rows.count()).toBe(2);
        await expect.poll(() => rows.first().locator("td").nth(1).textContent()).toBe("yes");
        // Requests per second needs two samples: a number replaces the dash once the view has
        // refreshed by itself.
        await expect
          .poll(() => page.getByTestId("ops-rps").first().textContent(), { timeout: 20_000 })
          .toMatch(/^\d/);
        const requests = Number(
          (await page.getByTestId("ops-requests").first().textContent())!.replace(/,/g, ""),
        );
        expect(requests).toBeGreaterThan(0);
        await expect
          .poll(() => page.getByTestId("ops-tiers").locator("tbody tr").first().textContent())
          .toMatch(/browser/);
        await screenshot(page, "page-ops");
      },
    );
  }, 60_000);

  it("uploads an image (the worker's thumbnails appear) and imports a CSV with a rejected row", async () => {
    const products = await firstProducts(6);
    const id = products[5]!.id;
    const page = await newPage();
    await withFailureScreenshots(
      "uploads",
      () => ({ page }),
      async () => {
        await logIn(page, test.stack.admin.email, test.stack.admin.password);
        await page.goto(`/admin/products/${id}/edit`);
        await page.getByLabel("Image file (JPEG, PNG or WebP)").setInputFiles({
          name: "photo.png",
          mimeType: "image/png",
          buffer: await makeImage("png", { width: 800, height: 600, seed: 7 }),
        });
        await page.getByRole("button", { name: "Upload image" }).click();
        // Not a timing check: the upload is stored in S3 and its thumbnail job enqueued before
        // the answer, and an instance's first enqueue loads BullMQ (~200 ms on a cold disk).
        await expect
          .poll(() => page.locator(".panel [role=status]").textContent(), { timeout: 15_000 })
          .toContain("Uploaded photo.png");
        const image = page.getByTestId("product-images").locator("li").first();
        await expect
          .poll(() => image.getAttribute("data-thumbnails"), { timeout: 60_000 })
          .not.toBe("0");
        await page.goto(`/products/${id}`);
        await expect
          .poll(() => page.locator(".gallery img").getAttribute("src"))
          .toMatch(/^\/api\/images\/[0-9a-f]{64}/);
        await screenshot(page, "page-product-with-image");

        const categories = CategoryList.parse(await (await fetch(`${url}/api/categories`)).json());
        const slug = categories.items[0]!.slug;
        const csv = [
          "sku,name,price_cents,category",
          `E2E-LAMP-1,Imported desk lamp,1999,${slug}`,
          `E2E-LAMP-2,,not-a-price,${slug}`,
        ].join("\n");
        await page.goto("/admin/import");
        await page.getByLabel("CSV file").setInputFiles({
          name: "products.csv",
          mimeType: "text/csv",
          buffer: Buffer.from(`${csv}\n`),
        });
        await page.getByRole("button", { name: "Start import" }).click();
        await expect
          .poll(() => page.getByTestId("import-state").textContent(), { timeout: 60_000 })
          .toBe("done");
        await expect
          .poll(() => page.locator("table").textContent())
          .toMatch(/Rejected rows.*3.*E2E-LAMP-2/s);
        await screenshot(page, "page-import");
      },
    );
  }, 150_000);
});
