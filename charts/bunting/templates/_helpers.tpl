{{/* Chart name, at most 63 characters. */}}
{{- define "bunting.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name, plus the chart name unless the release name already contains it. */}}
{{- define "bunting.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bunting.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bunting.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bunting.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bunting.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bunting
{{- end -}}

{{- define "bunting.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bunting.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bunting.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret holds webhook URLs given as plain values (never put into the pod spec). */}}
{{- define "bunting.secretName" -}}
{{- printf "%s-notifiers" (include "bunting.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bunting.needsSecret" -}}
{{- if or (and .Values.slack.url (not .Values.slack.existingSecret)) (and .Values.msteams.url (not .Values.msteams.existingSecret)) (and .Values.eventWebhook (not .Values.eventWebhookSecret.name)) -}}
true
{{- end -}}
{{- end -}}

{{/* Where the GitSync mirrors live: an emptyDir mounted here. */}}
{{- define "bunting.gitCacheMount" -}}/var/cache/bunting{{- end -}}

{{/* True when the install is namespaced (watches one namespace, Roles instead of ClusterRoles). */}}
{{- define "bunting.namespaced" -}}
{{- if .Values.namespace -}}true{{- end -}}
{{- end -}}

{{/*
RBAC rules of the canary engine. One list, rendered into a ClusterRole or, for a namespaced install, a Role.
Every rule is exercised by src/controller/src/test/java/dev/bunting/chart/ChartRbacClusterTest.java (kubectl auth can-i against a real API
server) and by the controller itself in ChartRbacControllerTest.java: change them together.
*/}}
{{- define "bunting.rules.canary" -}}
# Canary, MetricTemplate, AlertProvider: watched (informer caches)
- apiGroups: ["flagger.app"]
  resources: ["canaries", "metrictemplates", "alertproviders"]
  verbs: ["get", "list", "watch"]
# Canary finalizer (finalizer.flagger.app, with revertOnDeletion): the controller updates metadata.finalizers
- apiGroups: ["flagger.app"]
  resources: ["canaries"]
  verbs: ["update"]
# Canary status (phase, weights, conditions)
- apiGroups: ["flagger.app"]
  resources: ["canaries/status"]
  verbs: ["get", "update", "patch"]
# owner references with blockOwnerDeletion to a Canary (OwnerReferencesPermissionEnforcement)
- apiGroups: ["flagger.app"]
  resources: ["canaries/finalizers"]
  verbs: ["update"]
# targets and primaries: watched; the primary is created and scaled with server-side apply (create + patch)
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch"]
# apex, -primary and -canary Services (server-side apply)
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch"]
# config tracking: ConfigMaps and Secrets the target mounts are watched and, unless configTracking.enabled=false,
# copied to <name>-primary (server-side apply); Secrets are also read for AlertProvider and MetricTemplate credentials
- apiGroups: [""]
  resources: ["configmaps", "secrets"]
  verbs: ["get", "list", "watch"{{ if .Values.configTracking.enabled }}, "create", "patch"{{ end }}]
# autoscalerRef: the target's HPA is watched and copied to <hpa>-primary (server-side apply)
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Kubernetes Events on Canaries; a repeat raises the count of the existing Event (get after a restart, patch)
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"]
# Gateway API router (gatewayapi:v1 and gatewayapi:v1beta1): HTTPRoutes, server-side applied
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "list", "watch", "create", "patch"]
{{- end -}}

{{/* RBAC rules of the GitSync engine itself (what it applies from Git needs more: see gitsync.* values). */}}
{{- define "bunting.rules.gitsync" -}}
# GitSync: watched; its finalizer added and removed (update); status (inventory, conditions) patched
- apiGroups: ["bunting.dev"]
  resources: ["gitsyncs"]
  verbs: ["get", "list", "watch", "update"]
- apiGroups: ["bunting.dev"]
  resources: ["gitsyncs/status"]
  verbs: ["get", "update", "patch"]
# Git credentials (spec.secretRef) and receiver tokens, read when needed
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
# HPA-managed workloads: GitSync never applies their spec.replicas
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch"]
# Kubernetes Events on GitSyncs; a repeat raises the count of the existing Event (get after a restart, patch)
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"]
{{- end -}}

{{/* List and watch every resource type (gitsync.watchAll). No "get": a wildcard "get" would also match
   subresources such as nodes/proxy and pods/exec. */}}
{{- define "bunting.rules.watchAll" -}}
# gitsync.watchAll: list and watch every resource type (GitSync follows the objects it applied)
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["list", "watch"]
{{- end -}}

{{/* Impersonating ServiceAccounts (GitSync spec.serviceAccountName). Groups are never impersonated. */}}
{{- define "bunting.rules.impersonate" -}}
# GitSync spec.serviceAccountName: apply as that ServiceAccount (impersonation; groups are never impersonated)
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["impersonate"]
{{- end -}}
