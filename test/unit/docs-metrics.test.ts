import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { METRICS } from "../../shared/domain/metrics";

/** docs/operations.md lists every metric the code declares, with its dimensions. */
describe("the metrics table in docs/operations.md", () => {
  const docs = readFileSync(join(__dirname, "../../docs/operations.md"), "utf8");
  const section = docs.slice(docs.indexOf("## Metrics"), docs.indexOf("## Alarms"));
  const rows = new Map(
    section
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => [l.slice(3, l.indexOf("`", 3)), l]),
  );

  it("has one row per declared metric, and no other", () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(METRICS).sort());
  });

  it.each(Object.entries(METRICS))("%s: its unit and dimensions", (name, metric) => {
    const row = rows.get(name) ?? "";
    expect(row).toContain(`| ${metric.unit} |`);
    for (const dimension of metric.dimensions) expect(row).toContain(`\`${dimension}\``);
  });
});
