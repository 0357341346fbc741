import { partition } from "@aws-sdk/core/client";
import type { RegionCatalog } from "../ports";

/**
 * The SDK's own partition data (in every bundle already): a region it knows carries a
 * description; for any other well-formed name it only guesses the partition.
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
};
