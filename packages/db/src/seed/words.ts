// Word lists shared by every category. The brands are invented, so seeded data never looks
// like an endorsement of a real company.

// prettier-ignore
export const BRANDS = [
  "Nordvik", "Halden", "Aurora Works", "Brightline", "Cobalt & Finch", "Driftwood", "Ember",
  "Fjell", "Granite Peak", "Harbor House", "Ironbark", "Juniper", "Kestrel", "Lumen", "Meridian",
  "Northfield", "Oakhaven", "Pinecrest", "Quillon", "Redwood Supply", "Saltmarsh", "Tidewater",
  "Umbra Lane", "Vantage", "Westbrook", "Zephyr", "Arcadia", "Bellhaven", "Cascade", "Alder & Co.",
  "Sable", "Birchwood", "Solstice", "Everline", "Polar Fox", "Coastline", "Lark", "Mosswood",
] as const;

// prettier-ignore
export const COLOURS = [
  "Charcoal", "Slate Grey", "Navy", "Forest Green", "Sand", "Terracotta", "Ivory", "Black",
  "White", "Sage", "Mustard", "Burgundy", "Sky Blue", "Olive", "Stone", "Copper",
] as const;

// prettier-ignore
export const QUALITIES = [
  "dependable", "beautifully made", "thoughtfully designed", "hard-wearing", "well-balanced",
  "versatile", "no-nonsense", "premium", "lightweight", "long-lasting",
] as const;

// prettier-ignore
export const FEATURES = [
  "Backed by a two-year warranty.",
  "Ships in plastic-free, recyclable packaging.",
  "Easy to clean and built to last.",
  "Tested well beyond the usual industry standards.",
  "Covered by our 30-day no-quibble returns.",
  "Spare parts stay available for years.",
  "Made in a certified low-emission factory.",
  "Rated highly by thousands of customers.",
  "Arrives ready to use, no assembly required.",
  "Every unit is inspected by hand before it ships.",
] as const;
