/**
 * Log lines with fields: {@link dev.bunting.logging.ObjectLog} puts a resource's kind, namespace, name (and phase,
 * revision) on SLF4J key-values. Depends on nothing of Bunting's, so every package may use it.
 */
package dev.bunting.logging;
