import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTransaction, readTransactions, splitCsvLine, writeTransactions } from "./csv.ts";
import { generateTransactions } from "./generator.ts";
import { rocAuc } from "./metrics.ts";
import { TABFORMER_COLUMNS, type Transaction } from "./schema.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-gen-"));

async function readAll(path: string, maxRows?: number): Promise<Transaction[]> {
  const out: Transaction[] = [];
  for await (const tx of readTransactions(path, { maxRows })) out.push(tx);
  return out;
}

describe("generateTransactions", () => {
  const data = generateTransactions({ rows: 20_000, seed: 7 });

  it("produces exactly the requested rows, deterministically from the seed", () => {
    expect(data.transactions).toHaveLength(20_000);
    expect(data.probabilities).toHaveLength(20_000);
    const again = generateTransactions({ rows: 20_000, seed: 7 });
    expect(again.transactions.slice(0, 200).map(formatTransaction)).toEqual(
      data.transactions.slice(0, 200).map(formatTransaction),
    );
    const other = generateTransactions({ rows: 20_000, seed: 8 });
    expect(other.transactions.slice(0, 50).map(formatTransaction)).not.toEqual(
      data.transactions.slice(0, 50).map(formatTransaction),
    );
  });

  it("has a realistic fraud rate and an oracle AUC well above chance", () => {
    const labels = data.transactions.map((t) => (t.isFraud ? 1 : 0));
    const rate = labels.reduce<number>((a, b) => a + b, 0) / labels.length;
    expect(rate).toBeGreaterThanOrEqual(0.001);
    expect(rate).toBeLessThanOrEqual(0.01);
    expect(rocAuc(data.probabilities, labels)).toBeGreaterThan(0.9);
  });

  it("puts fraud in bursts: frauds follow another transaction of the same card far more often", () => {
    let fraudRapid = 0;
    let frauds = 0;
    let legitRapid = 0;
    let legit = 0;
    data.transactions.forEach((t, i) => {
      const prev = data.transactions[i - 1];
      const minute = (x: Transaction) => Date.UTC(x.year, x.month - 1, x.day) / 60_000 + x.minuteOfDay;
      const rapid = prev !== undefined && prev.user === t.user && prev.card === t.card && minute(t) - minute(prev) < 60;
      if (t.isFraud) {
        frauds++;
        if (rapid) fraudRapid++;
      } else {
        legit++;
        if (rapid) legitRapid++;
      }
    });
    expect(fraudRapid / frauds).toBeGreaterThan(10 * (legitRapid / legit));
  });

  it("covers the TabFormer value sets: chip modes, online rows without a state, error codes", () => {
    const modes = new Set(data.transactions.map((t) => t.useChip));
    expect([...modes].sort()).toEqual(["Chip Transaction", "Online Transaction", "Swipe Transaction"]);
    const online = data.transactions.find((t) => t.useChip === "Online Transaction")!;
    expect(online.merchantCity).toBe("ONLINE");
    expect(online.merchantState).toBe("");
    expect(data.transactions.some((t) => t.errors.length > 0)).toBe(true);
    expect(data.transactions.some((t) => t.amount < 0)).toBe(true);
  });

  it("rejects a non-positive row count", () => {
    expect(() => generateTransactions({ rows: 0, seed: 1 })).toThrow(/rows must be a positive integer/);
  });
});

describe("TabFormer CSV", () => {
  it("round-trips generated rows through write and streaming read", async () => {
    const { transactions } = generateTransactions({ rows: 3000, seed: 3 });
    const path = join(dir, "tx.csv");
    expect(await writeTransactions(path, transactions)).toBe(3000);
    const text = readFileSync(path, "utf8");
    expect(text.split("\n")[0]).toBe(TABFORMER_COLUMNS.join(","));
    expect(text).toMatch(/,\$-?\d+\.\d{2},/);
    const back = await readAll(path);
    expect(back).toEqual(transactions);
    expect(await readAll(path, 10)).toHaveLength(10);
  });

  it("reads the real file's quirks: quoted error lists, float zips, negative amounts", async () => {
    const path = join(dir, "real.csv");
    writeFileSync(
      path,
      `${TABFORMER_COLUMNS.join(",")}\r\n` +
        "0,0,2002,9,1,06:21,$134.09,Swipe Transaction,3527213246127876953,La Verne,CA,91750.0,5300,,No\r\n" +
        '0,0,2002,9,1,06:42,$-77.00,Chip Transaction,-4282466774399734331,Monterey Park,CA,91754.0,5411,"Bad PIN,Insufficient Balance",Yes\r\n',
    );
    const rows = await readAll(path);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ zip: "91750", amount: 134.09, minuteOfDay: 381, isFraud: false, errors: [] });
    expect(rows[1]).toMatchObject({ amount: -77, errors: ["Bad PIN", "Insufficient Balance"], isFraud: true });
    expect(splitCsvLine('a,"b,""c""",d')).toEqual(["a", 'b,"c"', "d"]);
  });

  it("names the file, line and column of a bad value", async () => {
    const path = join(dir, "bad.csv");
    writeFileSync(
      path,
      `${TABFORMER_COLUMNS.join(",")}\n` +
        "0,0,2002,9,1,06:21,134.09,Swipe Transaction,1,La Verne,CA,91750.0,5300,,No\n",
    );
    await expect(readAll(path)).rejects.toThrow(`${path}:2: column "Amount" has "134.09", expected a dollar amount`);
  });

  it("rejects a file with the wrong header", async () => {
    const path = join(dir, "header.csv");
    writeFileSync(path, "a,b,c\n1,2,3\n");
    await expect(readAll(path)).rejects.toMatchObject({ code: "FRAUD_CSV_HEADER" });
  });
});
