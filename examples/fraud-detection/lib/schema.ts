/**
 * The TabFormer card-transaction schema (IBM's `card_transaction.v1.csv`) and the
 * reference tables the generator and the feature code share.
 */

/** The CSV header, in file order. */
export const TABFORMER_COLUMNS = [
  "User",
  "Card",
  "Year",
  "Month",
  "Day",
  "Time",
  "Amount",
  "Use Chip",
  "Merchant Name",
  "Merchant City",
  "Merchant State",
  "Zip",
  "MCC",
  "Errors?",
  "Is Fraud?",
] as const;

/** The three `Use Chip` values. */
export const CHIP_MODES = ["Swipe Transaction", "Chip Transaction", "Online Transaction"] as const;
/** One of {@link CHIP_MODES}. */
export type ChipMode = (typeof CHIP_MODES)[number];

/** The error codes that appear (comma-separated) in the `Errors?` column. */
export const ERROR_CODES = [
  "Bad PIN",
  "Bad CVV",
  "Bad Card Number",
  "Bad Expiration",
  "Insufficient Balance",
  "Technical Glitch",
  "Bad Zipcode",
] as const;

/** One transaction, parsed into typed fields. */
export interface Transaction {
  user: number;
  card: number;
  year: number;
  month: number;
  day: number;
  /** Minutes after midnight, from `HH:MM`. */
  minuteOfDay: number;
  /** Dollars; negative for refunds. */
  amount: number;
  useChip: ChipMode;
  merchantName: string;
  merchantCity: string;
  /** Empty for online transactions; a country name for foreign ones. */
  merchantState: string;
  zip: string;
  mcc: number;
  /** Error codes, empty when none. */
  errors: string[];
  isFraud: boolean;
}

/** A merchant category: code, popularity, typical amount in dollars and fraud risk (log-odds). */
export interface MerchantCategory {
  mcc: number;
  weight: number;
  amount: number;
  risk: number;
  /** Weight of this category among card-not-present fraud ("card testing", resale goods). */
  fraudWeight: number;
}

/** Merchant categories with realistic popularity and amounts. */
export const MERCHANT_CATEGORIES: readonly MerchantCategory[] = [
  { mcc: 5411, weight: 20, amount: 45, risk: 0, fraudWeight: 1 },
  { mcc: 5541, weight: 12, amount: 35, risk: 0, fraudWeight: 1 },
  { mcc: 5812, weight: 12, amount: 30, risk: 0.1, fraudWeight: 1 },
  { mcc: 5814, weight: 10, amount: 12, risk: 0, fraudWeight: 1 },
  { mcc: 5912, weight: 6, amount: 25, risk: 0, fraudWeight: 1 },
  { mcc: 5311, weight: 5, amount: 80, risk: 0.5, fraudWeight: 4 },
  { mcc: 5300, weight: 4, amount: 110, risk: 0.2, fraudWeight: 2 },
  { mcc: 4121, weight: 3, amount: 20, risk: 0.2, fraudWeight: 1 },
  { mcc: 5651, weight: 3, amount: 70, risk: 0.4, fraudWeight: 3 },
  { mcc: 5999, weight: 3, amount: 60, risk: 0.8, fraudWeight: 6 },
  { mcc: 4900, weight: 2, amount: 120, risk: 0, fraudWeight: 0.2 },
  { mcc: 5815, weight: 2, amount: 10, risk: 0.9, fraudWeight: 6 },
  { mcc: 5732, weight: 2, amount: 250, risk: 1.3, fraudWeight: 10 },
  { mcc: 7832, weight: 1.5, amount: 25, risk: 0, fraudWeight: 0.5 },
  { mcc: 7011, weight: 1, amount: 180, risk: 0.6, fraudWeight: 3 },
  { mcc: 5942, weight: 1, amount: 25, risk: 0.2, fraudWeight: 1 },
  { mcc: 4511, weight: 0.7, amount: 350, risk: 0.7, fraudWeight: 3 },
  { mcc: 4829, weight: 0.5, amount: 300, risk: 1.8, fraudWeight: 8 },
  { mcc: 5944, weight: 0.4, amount: 300, risk: 1.5, fraudWeight: 6 },
  { mcc: 5193, weight: 0.4, amount: 50, risk: 0.3, fraudWeight: 1 },
];

/** A US state with a few cities and a zip prefix, for home locations and travel. */
export interface Place {
  state: string;
  cities: readonly string[];
  zip: number;
}

/** Places the generator draws home locations and trips from. */
export const PLACES: readonly Place[] = [
  { state: "CA", cities: ["Los Angeles", "San Diego", "La Verne", "Fresno", "Oakland"], zip: 90000 },
  { state: "TX", cities: ["Houston", "Dallas", "Austin", "El Paso"], zip: 75000 },
  { state: "NY", cities: ["New York", "Buffalo", "Rochester", "Albany"], zip: 10000 },
  { state: "FL", cities: ["Miami", "Orlando", "Tampa", "Jacksonville"], zip: 32000 },
  { state: "IL", cities: ["Chicago", "Springfield", "Peoria"], zip: 60000 },
  { state: "PA", cities: ["Philadelphia", "Pittsburgh", "Allentown"], zip: 15000 },
  { state: "OH", cities: ["Columbus", "Cleveland", "Cincinnati"], zip: 43000 },
  { state: "GA", cities: ["Atlanta", "Savannah", "Augusta"], zip: 30000 },
  { state: "NC", cities: ["Charlotte", "Raleigh", "Durham"], zip: 27000 },
  { state: "MI", cities: ["Detroit", "Grand Rapids", "Lansing"], zip: 48000 },
  { state: "WA", cities: ["Seattle", "Spokane", "Tacoma"], zip: 98000 },
  { state: "AZ", cities: ["Phoenix", "Tucson", "Mesa"], zip: 85000 },
  { state: "MA", cities: ["Boston", "Worcester", "Springfield"], zip: 1000 },
  { state: "CO", cities: ["Denver", "Boulder", "Aurora"], zip: 80000 },
  { state: "NV", cities: ["Las Vegas", "Reno", "Henderson"], zip: 89000 },
  { state: "NJ", cities: ["Newark", "Jersey City", "Trenton"], zip: 7000 },
];

/** Foreign merchant locations (TabFormer puts the country in `Merchant State`, no zip). */
export const FOREIGN_PLACES: readonly string[] = ["Italy", "Mexico", "Canada", "Japan", "Nigeria", "Romania"];
