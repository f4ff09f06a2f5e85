/**
 * The web UI at {@code /ui} on the controller's HTTP port: rollouts from the informer caches, pushed live by
 * server-sent events ({@link dev.bunting.ui.UiEventStream}), a timeline per canary
 * ({@link dev.bunting.ui.CanaryHistory}), and rollout actions for users the API server authenticates and authorises ({@link dev.bunting.ui.UiAccess}).
 */
package dev.bunting.ui;
