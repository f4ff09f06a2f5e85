package dev.bunting.api;

import java.util.ArrayList;
import java.util.List;

/** {@code GitSync.status.inventory}: every object the last sync applied, in Flux's format. */
public class GitSyncInventory extends ApiObject {
  public List<GitSyncInventoryEntry> entries = new ArrayList<>();
}
