import { describe, expect, it } from "vitest";
import { sdkRegionCatalog } from "../../../shared/adapters/sdk-region-catalog";

/** The SDK's partition data decides which regions exist and where they belong (no second copy). */
describe("sdkRegionCatalog", () => {
  it.each([
    ["us-east-1", "aws"],
    ["eu-central-2", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eusc-de-east-1", "aws-eusc"],
  ])("%s is in %s", (region, partition) => {
    expect(sdkRegionCatalog.partitionOf(region)).toBe(partition);
  });

  it("knows real regions, and not well-formed names that are none", () => {
    expect(sdkRegionCatalog.isKnown("eu-west-1")).toBe(true);
    expect(sdkRegionCatalog.isKnown("eusc-de-east-1")).toBe(true);
    expect(sdkRegionCatalog.isKnown("eu-west-9")).toBe(false);
    expect(sdkRegionCatalog.isKnown("mars-north-1")).toBe(false);
  });
});
