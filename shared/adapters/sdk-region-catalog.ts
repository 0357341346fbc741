import { partition } from "@aws-sdk/core/client";
import type { RegionCatalog } from "../ports/accounts";

/**
 * The SDK's own partition data (in every bundle already): a region it knows carries a
 * description; for any other name it matches the partitions' region patterns (eusc-de-east-1 is
 * aws-eusc), and falls back to aws.
 */
export const sdkRegionCatalog: RegionCatalog = {
  isKnown(region: string): boolean {
    try {
      // The type leaves it out, but the SDK returns the region's description with its partition.
      return typeof (partition(region) as { description?: unknown }).description === "string";
    } catch {
      return false;
    }
  },
  partitionOf(region: string): string {
    return partition(region).name;
  },
};
