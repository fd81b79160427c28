const money = new Intl.NumberFormat("en", { style: "currency", currency: "EUR" });

export const formatPrice = (cents: number) => money.format(cents / 100);

export const formatPercent = (ratio: number | null) =>
  ratio === null ? "–" : `${(ratio * 100).toFixed(0)}%`;

export const formatNumber = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
